"""zxcvbn's feedback on a weak password (its warnings and suggestions, English in zxcvbn/feedback.py), listed
for `make messages` to extract into our catalog; app/auth/rules.py translates each one it shows."""
from app.form_messages import N_

MESSAGES = [
    N_('This password is easy to guess.'),
    N_('Add another word or two. Uncommon words are better.'),
    N_("Capitalization doesn't help very much."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_('Use a few words, avoid common phrases.'),
    N_('No need for symbols, digits, or uppercase letters.'),
    N_('Straight rows of keys are easy to guess.'),
    N_('Short keyboard patterns are easy to guess.'),
    N_('This is a top-10 common password.'),
    N_('This is similar to a commonly used password.'),
    N_('A word by itself is easy to guess.'),
    N_('All-uppercase is almost as easy to guess as all-lowercase.'),
    N_('Use a longer keyboard pattern with more turns.'),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_('This is a top-100 common password.'),
    N_('This is a very common password.'),
    N_('Names and surnames by themselves are easy to guess.'),
    N_('Common names and surnames are easy to guess.'),
    N_('Avoid repeated words and characters.'),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_('Avoid sequences.'),
    N_('Recent years are easy to guess.'),
    N_('Dates are often easy to guess.'),
    N_('Avoid recent years.'),
    N_('Avoid years that are associated with you.'),
    N_('Avoid dates and years that are associated with you.'),
]
