"""A git merge driver for the gettext catalogs (app/translations/**.po, .pot): the union of both sides'
messages, so branches that each translate their own pages merge without conflicts. A message translated on one
side only keeps that translation; where both translated it differently, ours wins and the merge says so.

Set up once per clone (.gitattributes names the files):
    git config merge.catalog.driver ".venv/bin/python scripts/merge_catalogs.py %O %A %B"
Afterwards `make messages` drops what no code uses any more.
"""
import sys

from babel.messages.pofile import read_po, write_po


def load(path: str):
    with open(path, "rb") as source:
        return read_po(source)


def main(base: str, ours: str, theirs: str) -> int:
    merged, other = load(ours), load(theirs)
    for message in other:
        if not message.id:
            continue
        mine = merged.get(message.id, context=message.context)
        if mine is None:
            merged[message.id] = message
        elif not any(mine.string if isinstance(mine.string, tuple) else [mine.string]):
            mine.string = message.string
        elif message.string and message.string != mine.string:
            print(f"catalog merge: kept ours for {message.id!r}", file=sys.stderr)
    with open(ours, "wb") as out:
        write_po(out, merged, width=76, sort_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
