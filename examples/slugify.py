"""Turn titles into URL slugs (a small example for fixer's quick start)."""
import os, sys
import re


def slugify(title,separator = "-"):
    """Lower-case the title and join its words with the separator."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return separator.join( words )


def unique_slug(title, taken):
    slug = slugify(title)
    n = 1
    while slug in taken :
        n += 1
        slug = f"{slugify(title)}-{n}"
    return slug
