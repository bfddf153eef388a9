#!/usr/bin/env python3
"""Wraps C# and JavaScript lines longer than the repository's width (.editorconfig's
max_line_length, 120).

    scripts/wrap-long-lines.py FILE.cs|FILE.js …           rewrites the files in place
    scripts/wrap-long-lines.py --check FILE.cs|FILE.js …   lists the lines still too long, changes nothing

The build does not wrap for us (Roslyn has no line-width rule, and a whole-code formatter would
restyle every file), so LineWidthTests fails on a long line and this script does the mechanical
part. It only ever changes layout, never meaning:
  - a line break goes between two tokens of code (C# does not care where whitespace is), at the
    outermost place that fits: after a comma, before && || ?? and a ternary's ? and :, after =>
    or an assignment's =, after an opening parenthesis, or before a method call in a chain;
  - a comment is wrapped at its spaces, a trailing comment moves to its own line above the code;
  - a regular or interpolated string literal is cut at a space into "a " + "b" (a constant stays
    a constant; an interpolated part keeps its $); verbatim and raw strings, JavaScript's template
    literals and regular expressions are left alone.
Continuation lines are indented one step (C# four spaces, JavaScript two) deeper than the line they
came from. Read the result: the script picks a legal break, not always the one a person would.
"""
import re
import sys

WIDTH = 120
INDENT = 4
LANGUAGE = 'cs'  # or 'js': set per file from its extension


def indent_unit():
    """C# indents by four spaces here, the page's JavaScript by two."""
    return INDENT if LANGUAGE == 'cs' else 2


def classify(text):
    """Per character: 'c' code, 'h' code inside an interpolation hole (never broken), 'm' comment,
    's' inside a literal whose text may be cut (regular or interpolated string, outside holes), 'S'
    inside a literal that may not (verbatim, raw, char, u8), and the spans [start, end) of the
    cuttable literals."""
    kind = [''] * len(text)
    spans = []  # (start, end, interpolated)
    i, n = 0, len(text)
    nesting = [0]  # interpolation holes open around the scan: a literal inside one is never cut

    def mark(a, b, k):
        for j in range(a, b):
            kind[j] = k

    def scan_string(i, interpolated, verbatim, raw_quotes):
        """Returns the index after the literal starting at text[i] == '"'."""
        if raw_quotes:
            close = '"' * raw_quotes
            end = text.find(close, i + raw_quotes)
            return n if end < 0 else end + raw_quotes
        j = i + 1
        while j < n:
            ch = text[j]
            if verbatim:
                if ch == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        j += 2
                        continue
                    return j + 1
            else:
                if ch == '\\':
                    j += 2
                    continue
                if ch == '"' or ch == '\n':
                    return j + 1
            if interpolated and ch == '{':
                if j + 1 < n and text[j + 1] == '{':
                    j += 2
                    continue
                j = scan_hole(j + 1)
                continue
            j += 1
        return n

    def scan_hole(j):
        """From just inside a hole's '{' to just after its '}', classifying code and nested literals."""
        depth = 0
        nesting[0] += 1
        try:
            return scan_hole_body(j, depth)
        finally:
            nesting[0] -= 1

    def scan_hole_body(j, depth):
        while j < n:
            ch = text[j]
            if ch == '"' or (ch in '$@' and j + 1 < n and text[j + 1] in '"$@'):
                j = literal(j)
                continue
            if ch == "'":
                j = char_literal(j)
                continue
            kind[j] = 'h'
            if ch == '{':
                depth += 1
            elif ch == '}':
                if depth == 0:
                    return j + 1
                depth -= 1
            j += 1
        return n

    def char_literal(j):
        end = j + 1
        while end < n and text[end] != "'":
            end += 2 if text[end] == '\\' else 1
        mark(j, min(end + 1, n), 'S')
        return end + 1

    def literal(j):
        """A string literal with its prefix ($, @, $@, @$, $$…, raw quotes) starting at j."""
        start = j
        dollars = 0
        verbatim = False
        while j < n and text[j] in '$@':
            if text[j] == '$':
                dollars += 1
            else:
                verbatim = True
            j += 1
        quotes = 0
        while j + quotes < n and text[j + quotes] == '"':
            quotes += 1
        raw = quotes >= 3
        if raw:
            end = scan_string(j, dollars > 0, False, quotes)
            mark(start, end, 'S')
            return end
        # Mark first, then let scan_string's holes overwrite their code as 'c'.
        body_end = scan_string_dry(j, dollars > 0, verbatim)
        u8 = text.startswith('u8', body_end)
        fixed = verbatim or u8 or dollars > 1 or nesting[0] > 0
        mark(start, body_end + (2 if u8 else 0), 'S' if fixed else 's')
        end = scan_string(j, dollars > 0, verbatim, 0)
        if not fixed:
            spans.append((start, end, dollars > 0, '"'))
        return end + (2 if u8 else 0)

    def scan_string_dry(j, interpolated, verbatim):
        saved = kind[:]
        end = scan_string(j, interpolated, verbatim, 0)
        kind[:] = saved
        return end

    def comment(j):
        """Marks a comment starting at j and returns the index after it; None when none starts there."""
        if text.startswith('//', j):
            end = text.find('\n', j)
            end = n if end < 0 else end
        elif text.startswith('/*', j):
            end = text.find('*/', j + 2)
            end = n if end < 0 else end + 2
        else:
            return None
        mark(j, end, 'm')
        return end

    def js_quoted(j):
        """A JavaScript '…' or "…" string: cuttable like a C# regular string."""
        quote = text[j]
        end = j + 1
        while end < n and text[end] not in (quote, '\n'):
            end += 2 if text[end] == '\\' else 1
        end = min(end + 1, n)
        mark(j, end, 'S' if nesting[0] else 's')
        if not nesting[0]:
            spans.append((j, end, False, quote))
        return end

    def js_template(j):
        """A template literal: its text is never cut (a line break there would be in the string)."""
        end = j + 1
        while end < n and text[end] != '`':
            if text[end] == '\\':
                kind[end:end + 2] = ['S', 'S'][:max(0, min(2, n - end))]
                end += 2
                continue
            if text.startswith('${', end):
                kind[end] = kind[end + 1] = 'S'
                nesting[0] += 1
                end = js_code(end + 2, '}')
                nesting[0] -= 1
                continue
            kind[end] = 'S'
            end += 1
        kind[j] = 'S'
        if end < n:
            kind[end] = 'S'
        return end + 1

    def js_regex_allowed(j):
        before = text[:j].rstrip(' \t')
        return not before or before[-1] in '(,=:[!&|?{};\n+-*%<>~^' or re.search(r'\b(return|typeof|case)$', before)

    def js_regex(j):
        end, in_class = j + 1, False
        while end < n and text[end] != '\n':
            ch = text[end]
            if ch == '\\':
                end += 2
                continue
            if ch == '[':
                in_class = True
            elif ch == ']':
                in_class = False
            elif ch == '/' and not in_class:
                break
            end += 1
        end += 1
        while end < n and text[end].isalpha():
            end += 1
        mark(j, end, 'S')
        return end

    def js_code(j, closer=None):
        """JavaScript code from j, to the end or past the closer that ends a template's hole."""
        depth = 0
        while j < n:
            ch = text[j]
            if (end := comment(j)) is not None:
                j = end
            elif ch in '"\'':
                j = js_quoted(j)
            elif ch == '`':
                j = js_template(j)
            elif ch == '/' and js_regex_allowed(j):
                j = js_regex(j)
            else:
                kind[j] = 'h' if nesting[0] else 'c'
                if closer and ch == '{':
                    depth += 1
                elif closer and ch == '}':
                    if depth == 0:
                        kind[j] = 'S'
                        return j + 1
                    depth -= 1
                j += 1
        return n

    if LANGUAGE == 'js':
        js_code(0)
        return kind, spans

    while i < n:
        ch = text[i]
        if (end := comment(i)) is not None:
            i = end
        elif ch == '"' or (ch in '$@' and i + 1 < n and text[i + 1] in '"$@' and not re.match(r'@\w', text[i:i + 2])):
            i = literal(i)
        elif ch == "'":
            i = char_literal(i)
        else:
            kind[i] = 'c'
            i += 1
    return kind, spans


OPEN, CLOSE = '([{', ')]}'


CONTROL = re.compile(r'\s*(?:else\s+)?(?:if|foreach|for|while|using|lock|fixed|catch)\s*\(')


def expand_block(line, kinds):
    """A block on one line — `if (…) { a; b; }`, `catch (…) when (…) { … }`, `try { … }`, a local
    function `int F(…) { … }` — becomes its header, its braces and one statement a line. None when
    the line is not that (an object initialiser `new X(…) { A = 1 }` holds no statement)."""
    text = line.rstrip()
    start = len(line) - len(line.lstrip())
    if not text.endswith(' }') or not text[start:]:
        return None
    depth, opening = 0, None
    for i in range(start, len(text)):
        if kinds[i] != 'c':
            continue
        if line[i] == '{' and depth == 0 and opening is None and line[i - 1:i] == ' ':
            opening = i
        depth += line[i] in OPEN
        depth -= line[i] in CLOSE
        if opening is not None and depth == 0:
            if i != len(text) - 1:
                return None  # the braces close before the line ends: `{ … } more`
            break
    if opening is None:
        return None
    head = line[:opening].rstrip()
    if not (head.endswith(')') or re.fullmatch(r'\s*(?:try|else|finally|do)', head)):
        return None
    statements, depth, begin = [], 0, opening + 1
    for i in range(opening + 1, len(text) - 1):
        if kinds[i] != 'c':
            continue
        depth += line[i] in OPEN
        depth -= line[i] in CLOSE
        if line[i] == ';' and depth == 0:
            statements.append(line[begin:i + 1].strip())
            begin = i + 1
    if not statements or line[begin:len(text) - 1].strip():
        return None
    indent = line[:start]
    inner = indent + ' ' * indent_unit()
    # Each language's own brace style: C# opens the block on a line of its own, JavaScript after the header.
    opened = [head, indent + '{'] if LANGUAGE == 'cs' else [head + ' {']
    return opened + [inner + s for s in statements] + [indent + '}']


def split_control(line, kinds):
    """`if (…) statement;` → the header, and the statement under it."""
    control = CONTROL.match(line)
    if not control:
        return None
    depth = 0
    for i in range(control.end() - 1, len(line)):
        if kinds[i] != 'c':
            continue
        depth += line[i] in OPEN
        depth -= line[i] in CLOSE
        if depth == 0:
            rest = line[i + 1:].strip()
            if not rest or rest.startswith(('{', '&&', '||', '.', '?', ':', '=>', 'when ')) or line.rstrip().endswith(','):
                return None
            indent = line[:len(line) - len(line.lstrip())]
            return [line[:i + 1], indent + ' ' * indent_unit() + rest]
    return None


def split_attribute(line, kinds):
    """`[Attribute] declaration` → the attribute on its own line above, same indent."""
    start = len(line) - len(line.lstrip())
    if line[start:start + 1] != '[':
        return None
    depth = 0
    for i in range(start, len(line)):
        if kinds[i] != 'c':
            continue
        depth += line[i] in OPEN
        depth -= line[i] in CLOSE
        if depth == 0:
            rest = line[i + 1:]
            if rest.startswith(' ') and rest.strip() and not rest.lstrip().startswith(('[', ']', ',', ';', ')', '=', '.')):
                return [line[:i + 1], line[:start] + rest.strip()]
            return None
    return None


def code_breaks(line, kinds):
    """Legal breaks in one line: (position, depth, drop, rank). The break puts line[:position]
    (right-stripped) on one line and line[position + drop:] on the next; depth is the bracket
    depth at the break, rank how natural the break is at that depth (lower is better)."""
    out = []
    depth = 0
    depths = [0] * len(line)
    ternary = set()  # depths where a ternary's ' ? ' was seen
    for i, ch in enumerate(line):
        if kinds[i] == 'c' and ch in CLOSE:
            depth = max(0, depth - 1)
        depths[i] = depth
        if kinds[i] == 'c' and ch in OPEN:
            depth += 1
    text_start = len(line) - len(line.lstrip())
    for i, ch in enumerate(line):
        if i <= text_start or kinds[i] != 'c':
            continue
        d = depths[i]
        rest = line[i:]
        if ch in ',;' and rest.startswith((', ', '; ')):
            out.append((i + 1, d, 1, 0))
        elif ch == ' ':
            for op, rank in (('&& ', 1), ('|| ', 1), ('?? ', 1), ('? ', 2), (': ', 2), ('or ', 2), ('| ', 2), ('+ ', 3)):
                if rest[1:].startswith(op) and all(kinds[j] == 'c' for j in range(i, min(i + 1 + len(op), len(line)))):
                    if op == '? ':
                        ternary.add(d)
                    if op == ': ' and d not in ternary:
                        continue
                    out.append((i, d, 1, rank))
            if rest.startswith(' => '):
                out.append((i + 3, d, 1, 1))
            elif rest.startswith(' { ') and line[i - 1] in ')>' and d == depths[text_start] and not CONTROL.match(line):
                out.append((i, d, 1, 1))  # an object initialiser goes under its constructor
            elif re.match(r' [+\-*/|&]?= ', rest) and d == 0:
                out.append((i + rest.index('= ') + 1, d, 1, 4))
        elif ch in '([' and i + 1 < len(line) and line[i + 1] not in ')]' and not CONTROL.match(line[:i + 1]):
            # After an opening bracket the rest is one level deeper, so it counts as d + 1.
            out.append((i + 1, d + 1, 0, 5))
        elif ch == '.' and i > 0 and line[i - 1] == ')' and re.match(r'\.\w+[(<]', rest):
            out.append((i, d, 0, 3))
    return out


def string_breaks(line, kinds, spans):
    """Cuts inside cuttable strings: (position, quote_prefix, depth, rank) where line[:position]
    ends the first part and the next part starts with quote_prefix: after a space (rank 6), or
    before an interpolation hole or after a tag's '>' (rank 7)."""
    out = []
    for start, end, interpolated, quote in spans:
        a, b = start, end
        after = line[b:b + 1]
        if after in ('.', '['):
            continue  # "a b".Length would become "a " + "b".Length
        if re.search(r'\bconst\b', line) and interpolated:
            continue
        body = a + (2 if interpolated else 1)
        depth = sum(1 for j in range(a) if kinds[j] == 'c' and line[j] in OPEN) - \
            sum(1 for j in range(a) if kinds[j] == 'c' and line[j] in CLOSE)
        quote = '$"' if interpolated else quote
        for j in range(body + 8, b - 4):
            if kinds[j] != 's' or line[j - 1] == '\\':
                continue
            if line[j] == ' ':
                inside_tag = line.rfind('<', body, j) > line.rfind('>', body, j)
                out.append((j + 1, quote, max(0, depth), 8 if inside_tag else 6))
            elif kinds[j - 1] == 's' and line[j - 1] == '>' and line[j] not in '{}':
                out.append((j, quote, max(0, depth), 7))
            elif interpolated and line[j] == '{' and kinds[j + 1] == 'h' and line[j - 1] != '{' and kinds[j - 1] == 's':
                out.append((j, quote, max(0, depth), 7))
    return out


def cost(head, tail, continuation, depth, rank):
    """How a break reads: outer before inner, natural before forced, and neither a stub of a first
    line nor a second line that needs breaking again, where there is a choice."""
    short = len(head.strip()) < 50 and rank >= 0
    return depth * 10 + rank + (8 if short else 0) + (3 if len(continuation) + len(tail) > WIDTH else 0)


def wrap_comment(prefix, words, width):
    lines, current = [], prefix
    for word in words:
        candidate = current + (' ' if current != prefix else '') + word
        if len(candidate) > width and current != prefix:
            lines.append(current)
            current = prefix + word
        else:
            current = candidate
    lines.append(current)
    return lines


def comment_words(text):
    """Words of a comment, keeping an XML tag (with its spaces) whole."""
    return re.findall(r'(?:<[^>]*>|[^\s<])+|<[^>]*>', text)


def wrap_line(line, kinds, spans, offset):
    """The replacement lines for one long line, or None when no legal break fits."""
    indent = line[:len(line) - len(line.lstrip())]
    stripped = line.strip()
    if stripped.startswith('#'):
        return None
    if all(k == 'm' for k in kinds[len(indent):len(line)]):
        m = re.match(r'(\s*(?:///|//|\*(?!/))\s?)(.*)', line)
        if not m:
            return None  # a /* … */ on one line
        prefix, body = m.group(1), m.group(2)
        if not prefix.endswith(' '):
            prefix += ' '
        wrapped = wrap_comment(prefix, comment_words(body), WIDTH)
        return wrapped if len(wrapped) > 1 else None
    # A trailing comment goes above the code.
    comment_at = next((i for i in range(len(indent), len(line)) if kinds[i] == 'm'), None)
    trailing = comment_at is not None and all(k == 'm' for k in kinds[comment_at:len(line.rstrip())])
    if trailing and line[:comment_at].strip():
        code = line[:comment_at].rstrip()
        comment = indent + line[comment_at:].strip()
        return [comment, code]
    block = expand_block(line, kinds) or split_control(line, kinds) or \
        (split_attribute(line, kinds) if LANGUAGE == 'cs' else None)
    if block:
        return block
    continuation = indent + ' ' * indent_unit()
    result = []
    current = line
    # Spans of the file, moved to this line's columns; a piece after a break starts at a token of
    # code (or at a cut string's new quote), so it is classified again on its own.
    spans = [(a - offset, b - offset, i, q) for a, b, i, q in spans if offset <= a and b <= offset + len(line)]
    for _ in range(40):
        if len(current) <= WIDTH:
            break
        options = []  # (cost, position, drop, quote)
        for position, depth, drop, rank in code_breaks(current, kinds):
            head, tail = current[:position].rstrip(), current[position + drop:].strip()
            if len(head) <= WIDTH and head.strip() and tail:
                options.append((cost(head, tail, continuation, depth, rank), position, drop, None))
        for position, quote, depth, rank in string_breaks(current, kinds, spans):
            head, tail = current[:position] + quote[-1] + ' +', quote + current[position:]
            if len(head) <= WIDTH:
                options.append((cost(head, tail, continuation, depth, rank), position, 0, quote))
        if not options:
            break
        _, position, drop, quote = min(options, key=lambda o: (o[0], -o[1]))
        if quote is None:
            head = current[:position].rstrip()
            result.append(head)
            # A new statement after `a; b` keeps the statement's indent; anything else goes deeper.
            same = head.endswith(';') and not any(d for p, d, _, _ in code_breaks(current, kinds) if p == position)
            current = (indent if same else continuation) + current[position + drop:].lstrip()
        else:
            result.append(current[:position] + quote[-1] + ' +')
            current = continuation + quote + current[position:]
        kinds, spans = classify(current)
    if not result:
        return None
    result.append(current)
    return result


COMMENT_LINE = re.compile(r'(\s*(?:///?|\*(?!/))\s?)(.*)')


def reflow_into(replacement, following, kinds):
    """A wrapped comment's last piece joins the comment line after it when that line goes on the
    same paragraph (same prefix, not a new XML element, list item or blank), so no stub is left."""
    start = next((i for i, k in enumerate(kinds) if k != 'c'), None)
    if following is None or len(replacement) < 2 or start is None or not all(k == 'm' for k in kinds[start:]):
        return None
    last, nxt = COMMENT_LINE.match(replacement[-1]), COMMENT_LINE.match(following)
    if not (last and nxt) or last.group(1).rstrip() != nxt.group(1).rstrip():
        return None
    body = nxt.group(2)
    if not body.strip() or body.lstrip().startswith(('<', '-', '*', '|', '`', '@')) or re.match(r'\d+[.)] ', body):
        return None
    if not last.group(2).strip() or last.group(2).rstrip().endswith(('>', '.', ':')):
        return None
    return replacement[:-1], nxt.group(1) + last.group(2).strip() + ' ' + body


def wrap_text(text):
    for _ in range(200):
        kinds, spans = classify(text)
        lines = text.split('\n')
        out, offset, changed = [], 0, False
        merged = None  # the next line, when a comment's overflow went into it
        for number, line in enumerate(lines):
            original = len(line)
            if merged is not None:
                line, merged = merged, None
                out.append(line)
                offset += original + 1
                continue
            replacement = None
            if len(line) > WIDTH:
                replacement = wrap_line(line, kinds[offset:offset + original], spans, offset)
            if replacement:
                following = lines[number + 1] if number + 1 < len(lines) else None
                flowed = reflow_into(replacement, following, kinds[offset:offset + original])
                if flowed:
                    replacement, merged = flowed
                out.extend(replacement)
                changed = True
            else:
                out.append(line)
            offset += original + 1
        text = '\n'.join(out)
        if not changed:
            break
    return text


def main(argv):
    global LANGUAGE
    check = '--check' in argv
    files = [a for a in argv if a != '--check']
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    long_lines = 0
    for path in files:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if not check:
            LANGUAGE = 'js' if path.endswith('.js') else 'cs'
            wrapped = wrap_text(text)
            if wrapped != text:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(wrapped)
                text = wrapped
        for number, line in enumerate(text.split('\n'), 1):
            if len(line) > WIDTH:
                long_lines += 1
                print(f'{path}:{number}: {len(line)} columns')
    return 1 if long_lines and check else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
