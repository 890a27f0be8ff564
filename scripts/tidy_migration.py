"""Strip index drops from a generated downgrade: dropping the table drops its indexes, and MySQL
refuses to drop an index a foreign key needs. Usage: python scripts/tidy_migration.py FILE"""
import re
import sys

path = sys.argv[1]
text = open(path).read()
head, _, down = text.partition("def downgrade():")
down = re.sub(r"    with op\.batch_alter_table\('\w+', schema=None\) as batch_op:\n"
              r"(?:        batch_op\.drop_index\(.*\)\n)+\n?", "", down)
open(path, "w").write(head + "def downgrade():" + down)
