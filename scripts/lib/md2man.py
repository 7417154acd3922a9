#!/usr/bin/env python3
"""Converts the man page's markdown source (docs/swift-sentinel.1.md) to roff (man(7) macros).

Usage: md2man.py SOURCE.md VERSION DATE > swift-sentinel.1

No pandoc or ronn on the build machines, so this handles exactly the markdown subset the source
uses, pandoc's spelling of it:
  % NAME(SECTION) source | manual     the title line (@VERSION@ is replaced by VERSION)
  # HEADING                           a section (.SH)
  term  /  : definition               a tagged paragraph (.TP); definition lines may continue,
                                      indented
  ``` ... ```                         a literal block (.nf, indented)
  blank-line separated text           paragraphs (.PP)
  **bold**, *italic*, `code`          \\fB, \\fI, \\fB (code is bold, as man pages show literals)
Anything else is an error, so the source cannot silently use markdown this does not render.
"""

import re
import sys

INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*")


def escape(text):
    """Roff-escapes plain text: backslashes."""
    return text.replace("\\", "\\e")


def literal(text):
    """A literal (code, option): escaped, with minus signs that stay ASCII minus."""
    return escape(text).replace("-", "\\-")


def inline(text):
    out = []
    position = 0
    for match in INLINE.finditer(text):
        out.append(escape(text[position:match.start()]))
        code, bold, italic = match.groups()
        if code is not None:
            out.append("\\fB" + literal(code) + "\\fR")
        elif bold is not None:
            out.append("\\fB" + literal(bold) + "\\fR")
        else:
            out.append("\\fI" + escape(italic) + "\\fR")
        position = match.end()
    rest = text[position:]
    if "*" in rest or "`" in rest:
        raise SystemExit(f"md2man: unbalanced markup in: {text!r}")
    out.append(escape(rest))
    line = "".join(out)
    # A line starting with . or ' would be a roff request.
    return "\\&" + line if line[:1] in (".", "'") else line


def convert(source, version, date):
    lines = source.replace("@VERSION@", version).split("\n")
    title = re.fullmatch(r"% (\S+)\((\d)\) (.+?) \| (.+)", lines[0])
    if not title:
        raise SystemExit("md2man: the first line must be '% NAME(SECTION) source | manual'")
    name, section, origin, manual = title.groups()
    out = [f'.TH "{name}" "{section}" "{date}" "{origin}" "{manual}"']
    index = 1
    paragraph = []

    def flush():
        if paragraph:
            out.append(".PP")
            out.extend(inline(line) for line in paragraph)
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip():
            flush()
            index += 1
        elif line.startswith("# "):
            flush()
            out.append(f'.SH "{line[2:].strip()}"')
            index += 1
        elif line.startswith("```"):
            flush()
            index += 1
            out += [".PP", ".RS 4", ".nf"]
            while index < len(lines) and not lines[index].startswith("```"):
                out.append(literal(lines[index]) if lines[index][:1] not in (".", "'") else "\\&" + literal(lines[index]))
                index += 1
            out += [".fi", ".RE"]
            index += 1
        elif following.startswith(": ") and not paragraph:
            out += [".TP", inline(line.strip())]
            index += 1
            definition = [lines[index][2:].strip()]
            index += 1
            while index < len(lines) and lines[index].startswith("  ") and lines[index].strip():
                definition.append(lines[index].strip())
                index += 1
            out.extend(inline(text) for text in definition)
        elif line.startswith(("#", "- ", "* ", "> ", "|")) or re.match(r"\d+\. ", line):
            raise SystemExit(f"md2man: markdown this converter does not handle: {line!r}")
        else:
            paragraph.append(line.strip())
            index += 1
    flush()
    # A paragraph right after a section heading needs no .PP.
    text = "\n".join(out) + "\n"
    return re.sub(r'(\.SH "[^"]*"\n)\.PP\n', r"\1", text)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: md2man.py SOURCE.md VERSION DATE")
    with open(sys.argv[1], encoding="utf-8") as file:
        sys.stdout.write(convert(file.read(), sys.argv[2], sys.argv[3]))
