"""Fill every empty English msgstr with its source text: English is the source language, reviewed as is."""

import sys

from babel.messages.pofile import read_po, write_po


def main(path: str) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = (message.id[0], message.id[1])
        elif not message.string:
            message.string = message.id
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=0, no_location=True)


if __name__ == "__main__":
    main(sys.argv[1])
