"""Finding a real person's data written into the code as string literals (emails, cards, IBANs, phones, ids).

Reads the file with the standard tokenizer only, so it is cheap, runs on tests, fixtures,
seeds and migrations alike, and does not depend on the parser. What counts as real rather
than an example lives in rules/literals.yaml.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from minimise.literal_records import LiteralRecords
from minimise.literal_rules import LiteralRules, load_literal_rules
from minimise.model import DataPoint
from minimise.redact import redact_text
from minimise.words import split_words

LITERAL_KIND = "literal"
LITERAL_VIA = "source code"


@dataclass(frozen=True)
class LiteralHit:
    """One personal value found in a literal: where, what kind, and its masked form."""

    line: int
    column: int
    kind: str
    category: str
    masked: str
    # A phone number's digits, to tell a test's numbered series (+250788000001, ...02) from one number.
    digits: str = field(default="", repr=False, compare=False)
    # An email address, lower case, to tell a test's variants (jo.bo1@, jo.bo3@, jo.bo@other) from one address.
    address: str = field(default="", repr=False, compare=False)
    # The innermost bracket (a dict, a call's arguments, a tuple) or statement holding the literal:
    # the record a value belongs to.
    record: int = field(default=0, repr=False, compare=False)


CATEGORIES = {
    "email": "user.contact.email",
    "phone": "user.contact.phone_number",
    "card": "user.financial.credit_card",
    "iban": "user.financial.bank_account",
    "ssn": "user.government_id.national_identification_number",
    "nino": "user.government_id.national_identification_number",
}
_MASKS = {"nino": "[national id]", "ssn": "[ssn]"}
_REASONS = {
    "email": "an email address whose domain is not reserved for examples",
    "phone": "a phone number outside the ranges reserved for fiction",
    "card": "a card number that passes the Luhn check and is not a published test card",
    "iban": "an IBAN with a valid checksum that is not a published example",
    "ssn": "a US Social Security number of a valid structure",
    "nino": "a UK National Insurance number of a valid structure",
}


# ----------------------------------------------------------------------- rules
# ----------------------------------------------------------------------- validators
def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 checksum every payment card number carries."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_checksum_valid(iban: str) -> bool:
    """ISO 13616 mod-97: the first four characters moved to the end, letters as 10..35, remainder 1."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 5 or not compact.isalnum() or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def is_example_domain(domain: str, rules: LiteralRules) -> bool:
    """A domain reserved for examples (RFC 2606/6761 and private use) or invented by convention."""
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    # The domain or one it belongs to (`test.iam.gserviceaccount.com`).
    if any(".".join(labels[i:]) in rules.placeholder_domains for i in range(len(labels) - 1)):
        return True
    name = labels[-2] if len(labels) >= 2 else labels[0]
    if len(labels) >= 2 and name in rules.placeholder_domain_names:
        return True
    # examplectf.com is a stand-in; examples.com and notexample.com are real registered domains.
    if any(name.startswith(w) and name[len(w) :] not in ("", "s") for w in rules.placeholder_domain_words):
        return True
    if any(w in name.split("-")[1:] for w in rules.placeholder_domain_words):
        return True  # test-example.com, my-example.org: the word after a hyphen says so too
    return any(domain == r or domain.endswith("." + r) for r in rules.reserved_domains)


# A UUID or a long hexadecimal token: what generates Message-IDs and other ids shaped like addresses.
_GENERATED_ID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,}")


# A local part of this many words is a sentence (even jan.van.der.berg@ has four).
_SENTENCE_WORDS = 5


def is_person_email(address: str, rules: LiteralRules) -> bool:
    local, _, domain = address.rpartition("@")
    if not local or not domain or is_example_domain(domain, rules):
        return False
    if domain.rsplit(".", 1)[-1].lower() in rules.file_suffixes or "noreply" in domain.lower():
        return False
    if any(ch in local for ch in "%*?{}<>"):
        return False  # `compass_%@acme-corp.com` is a LIKE pattern, `{user}@` a template
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False  # `ana.ruiz.@`: malformed, what a validator's or normaliser's test feeds it
    base = local.split("+", 1)[0]  # jane+shop@ is jane's
    if base.lower() in rules.role_local_parts or _GENERATED_ID.fullmatch(base):
        return False  # <6e99e34d-e20a-...@host> is a Message-ID, not a mailbox
    words = [w for w in split_words(base) if not w.isdigit()]
    if not words or any(w in rules.made_up_local_words or w in rules.role_local_words for w in words):
        return False
    if any(_run_into_a_stem(w, rules) or _generic_compound(w, rules) for w in words):
        return False
    if any(len(w) >= 3 and len(set(w)) == 1 for w in words):
        return False  # bob.aaa@, aaron.zzz@: a name padded out for a test
    if all(w in rules.generic_local_words or len(w) <= 2 for w in words):
        return False
    if len(words) >= _SENTENCE_WORDS:
        return False  # dev_who_wants_to_be_admin@ is a test's sentence, not a mailbox
    domain = domain.lower().rstrip(".")
    # A person's address written into code is first.last (or f_last); one word (`mailbox@gmail.com`,
    # `abcd@`, `unauthorized@`) is what a suite invents for the case it exercises.
    if len([part for part in re.split(r"[._-]", base) if part]) < 2:
        return False
    if domain.split(".")[0] in words[1:]:
        return False  # jane.smith@smith.com: a made-up person at a domain named after their surname
    if domain in rules.mailbox_providers or any(domain.endswith("." + p) for p in rules.mailbox_providers):
        return True
    tld = domain.rsplit(".", 1)[-1]
    # first.last@company.de: a person's name at an organisation's domain.
    return tld in rules.known_tlds or (len(tld) == 2 and tld.isalpha())


def _generic_compound(word: str, rules: LiteralRules) -> bool:
    """``newuser``, ``olduser``, ``someone2``: two generic words run together, as tests name their people."""
    return any(
        word[:cut] in rules.generic_local_words and word[cut:] in rules.generic_local_words
        for cut in range(2, len(word) - 1)
    )


def _run_into_a_stem(word: str, rules: LiteralRules) -> bool:
    """``authtest``, ``userfake``: a made-up word with another run onto its front; ``testuser``: onto its end,
    when that other word is generic too (``testa`` and ``demos`` stay names)."""
    for stem in rules.made_up_local_stems:
        if len(word) > len(stem) and word.endswith(stem):
            return True
        rest = word[len(stem) :]
        if (
            word.startswith(stem)
            and len(rest) >= 3
            and (rest in rules.generic_local_words or rest in rules.made_up_local_words)
        ):
            return True
    return False


def card_network(digits: str, rules: LiteralRules) -> str:
    """The network whose prefix and length fit ``digits``, or ''."""
    for network in rules.card_networks:
        if len(digits) not in network.lengths:
            continue
        for width, low, high in network.prefixes:
            if low <= int(digits[:width]) <= high:
                return network.name
    return ""


def _longest_run(digits: str) -> int:
    best = run = 0
    previous = ""
    for char in digits:
        run = run + 1 if char == previous else 1
        previous = char
        best = max(best, run)
    return best


def is_real_card(digits: str, rules: LiteralRules) -> bool:
    return (
        luhn_valid(digits)
        and bool(card_network(digits, rules))
        and digits not in rules.test_cards
        and _longest_run(digits) < rules.max_repeated_digit_run
    )


def is_real_iban(iban: str, rules: LiteralRules) -> bool:
    compact = iban.replace(" ", "").upper()
    return (
        rules.iban_lengths.get(compact[:2]) == len(compact)
        and iban_checksum_valid(compact)
        and compact not in rules.example_ibans
    )


def is_fiction_phone(country: str, national: str, rules: LiteralRules) -> bool:
    """``national`` with its trunk 0 (UK, Australia) or the ten NANP digits: inside a fiction range?"""
    if country == "NANP":
        return national[3:6] in rules.nanp_fiction_exchanges
    for width, low, high in rules.fiction_ranges.get(country, ()):
        if len(national) == width and low <= int(national) <= high:
            return True
    return False


def _placeholder_digits(digits: str, rules: LiteralRules) -> bool:
    if digits in rules.phone_placeholders or digits.lstrip("0") in rules.phone_placeholders or len(set(digits)) <= 2:
        return True
    size = rules.made_up_stretch
    for start in range(len(digits) - size + 1):
        stretch = digits[start : start + size]
        if stretch in "01234567890123" or stretch in "98765432109876":
            return True
        if any(stretch == (stretch[:period] * size)[:size] for period in (1, 2, 3)):
            return True
    return _counted_pairs(digits) or _repeated_runs(digits)


def _repeated_runs(digits: str) -> bool:
    """Runs of one digit side by side: two of three (111222, 000111) or three of two (223344)."""
    for start in range(len(digits) - 5):
        six = digits[start : start + 6]
        if six[0] == six[1] == six[2] and six[3] == six[4] == six[5]:
            return True
        if six[0] == six[1] and six[2] == six[3] and six[4] == six[5]:
            return True
    return False


def _counted_pairs(digits: str, run: int = 4) -> bool:
    """Pairs of digits that count in even steps (01 02 03 04 05, 10 20 30 40): a number typed to look like one."""
    for offset in (0, 1):
        pairs = [int(digits[i : i + 2]) for i in range(offset, len(digits) - 1, 2)]
        for start in range(len(pairs) - run + 1):
            window = pairs[start : start + run]
            steps = {b - a for a, b in zip(window, window[1:], strict=False)}
            if len(steps) == 1 and 0 not in steps:
                return True
    return False


def is_real_phone(country: str, digits: str, rules: LiteralRules) -> bool:
    """``digits``: the national number (UK/AU with trunk 0, NANP ten digits) or, for other plans,
    country code and subscriber number."""
    if _placeholder_digits(digits, rules):
        return False
    if country == "NANP":
        if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
            return False
        if digits[1:3] == "11" or digits[4:6] == "11" or digits[:3] in rules.nanp_business_area_codes:
            return False
        return digits[:3] not in rules.nanp_fiction_exchanges and not is_fiction_phone(country, digits, rules)
    if country == "GB":
        return len(digits) in (10, 11) and digits[1] in "1237" and not is_fiction_phone(country, digits, rules)
    if country == "AU":
        return len(digits) == 10 and digits[1] in "2378" and not is_fiction_phone(country, digits, rules)
    return 8 <= len(digits) <= 15


def is_valid_ssn(text: str, rules: LiteralRules) -> bool:
    """A US SSN the SSA could have issued: area not 000, 666 or 900-999, group not 00, serial not 0000."""
    match = re.fullmatch(r"(\d{3})[- ](\d{2})[- ](\d{4})", text)
    if match is None or text.replace(" ", "-") in rules.ssn_invalid:
        return False
    area, group, serial = match.groups()
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return len(set(area + group + serial)) > 1


def is_valid_nino(text: str, rules: LiteralRules) -> bool:
    """A UK NINO: two allowed prefix letters, six digits, suffix A-D; made-up digit runs are not."""
    compact = text.replace(" ", "").upper()
    match = re.fullmatch(r"([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])", compact)
    if match is None or match.group(1) + match.group(2) in rules.nino_invalid_prefixes:
        return False
    digits = match.group(3)
    return digits not in ("123456", "654321") and len(set(digits)) > 1


# ----------------------------------------------------------------------- scanning
_EMAIL = re.compile(r"(?<![\w.%+:/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w@-])")
_CARD = re.compile(r"(?<![\w.+-])\d(?:[ -]?\d){11,18}(?![\w.-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-])")
_NANP = re.compile(r"(?<![\w+(-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])")
_UK = re.compile(r"(?<![\w+-])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_NINO = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])")


def _international(text: str, rules: LiteralRules) -> bool:
    digits = re.sub(r"\D", "", text)
    plan, national = _numbering_plan(digits, rules)
    return is_real_phone(plan, national, rules)


def _numbering_plan(digits: str, rules: LiteralRules) -> tuple[str, str]:
    """An international number's plan and national number (UK/AU with the trunk 0); ("", digits) for others."""
    for code in sorted(rules.phone_plans, key=len, reverse=True):
        if digits.startswith(code):
            plan = rules.phone_plans[code]
            rest = digits[len(code) :]
            return plan, rest if plan == "NANP" or rest.startswith("0") else "0" + rest
    return "", digits


# Where a value of any kind could be: an "@", or a run of six digits or more. The patterns
# above start with a look-behind, which the regular expression engine tries at every
# character; running them only near these places keeps a large file cheap.
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DIGIT_RUN = re.compile(r"\d[\d ()./+-]{4,}\d")
_IBAN_REACH = 36  # an IBAN's letters and digits before its first long digit run


def _windows(size: int, spots: list[tuple[int, int]], before: int, after: int) -> list[tuple[int, int]]:
    """Non-overlapping stretches of a text of ``size`` characters around every spot."""
    out: list[tuple[int, int]] = []
    for spot_start, spot_end in spots:
        start, end = max(0, spot_start - before), min(size, spot_end + after)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _at_signs(text: str) -> list[tuple[int, int]]:
    """Every "@" between a local-part character and a domain character (not a decorator)."""
    spots = []
    at = text.find("@")
    while at != -1:
        if 0 < at < len(text) - 1 and text[at - 1] in _LOCAL_CHARS and text[at + 1].isalnum():
            spots.append((at - 1, at + 2))
        at = text.find("@", at + 1)
    return spots


def _values(text: str, rules: LiteralRules) -> Iterator[tuple[int, str, str]]:
    """(offset, kind, value) of every personal value in one literal's (or a whole file's) text."""
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return all(match.end() <= a or match.start() >= b for a, b in taken)

    size = len(text)
    digit_runs = [m.span() for m in _DIGIT_RUN.finditer(text) if sum(c.isdigit() for c in m.group(0)) >= 6]
    # The longest local part before the "@"; after it, a domain as long as anyone uses.
    near_at = _windows(size, _at_signs(text), 64, 128)
    near_digits = _windows(size, digit_runs, 4, 4)
    near_iban = _windows(size, digit_runs, _IBAN_REACH, 4)
    checks: list[tuple[str, re.Pattern[str], list[tuple[int, int]], Callable[[str], bool]]] = [
        ("email", _EMAIL, near_at, lambda v: is_person_email(v, rules)),
        ("iban", _IBAN, near_iban, lambda v: is_real_iban(v, rules)),
        ("ssn", _SSN, near_digits, lambda v: is_valid_ssn(v, rules)),
        ("nino", _NINO, near_digits, lambda v: is_valid_nino(v, rules)),
        ("card", _CARD, near_digits, lambda v: is_real_card(re.sub(r"\D", "", v), rules)),
        ("phone", _INTERNATIONAL, near_digits, lambda v: _international(v, rules)),
        ("phone", _NANP, near_digits, lambda v: is_real_phone("NANP", re.sub(r"\D", "", v), rules)),
        ("phone", _UK, near_digits, lambda v: is_real_phone("GB", re.sub(r"\D", "", v), rules)),
    ]
    # Earlier kinds claim their characters first: an IBAN's digits are not also a phone number.
    for kind, pattern, windows, valid in checks:
        for start, end in windows:
            # Look-behinds see before ``start``; look-aheads stop at ``end``, so windows reach
            # a few characters past the value on both sides.
            for match in pattern.finditer(text, start, end):
                if free(match):
                    taken.append((match.start(), match.end()))
                    if kind == "email" and _in_url(text, match.start()):
                        continue  # `//user@host` is a URL's user part, not somebody's address
                    if kind == "email" and _built_from_a_value(text, match.start()):
                        continue
                    if valid(match.group(0)):
                        yield match.start(), kind, match.group(0)


def _built_from_a_value(text: str, start: int) -> bool:
    """`f"{random_name()}.suf@gmail.com"`: the local part starts in a placeholder, so the literal is a template."""
    return text[:start].rstrip("._-+").endswith("}")


def _in_url(text: str, start: int) -> bool:
    """Whether the text at ``start`` continues a ``//`` with no space or quote between: a URL's authority."""
    before = text[max(0, start - 256) : start]
    cut = max(before.rfind(c) for c in " \t\n\"'<>(),")
    return "//" in before[cut + 1 :]


def _mask(kind: str, value: str) -> str:
    """The report form of a value: the masks of the report redaction, never any of its characters."""
    masked = redact_text(value)
    return masked if masked != value and not re.search(r"[\d@]", masked) else _MASKS.get(kind, f"[{kind}]")


def _skipped(previous: list[tokenize.TokenInfo], rules: LiteralRules) -> bool:
    """A docstring or other bare string statement, or the value of a packaging metadata name."""
    if not previous or previous[-1].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
        return True
    if len(previous) >= 2 and previous[-1].string in ("=", ":"):
        name = previous[-2].string.strip("\"'")
        return name in rules.metadata_names
    return False


def _names_a_nino(previous: list[tokenize.TokenInfo], rules: LiteralRules) -> bool:
    """Whether the literal is given to a name or key that says it is a National Insurance number."""
    if len(previous) < 2 or previous[-1].string not in ("=", ":"):
        return False
    words = " " + " ".join(split_words(previous[-2].string.strip("\"'"))) + " "
    return any(f" {name} " in words for name in rules.nino_names)


def find_literals(text: str, rules: LiteralRules | None = None) -> list[LiteralHit]:
    """Every real-looking personal value in the string literals of ``text``, with line and column."""
    rules = rules or load_literal_rules()
    # Almost no file holds a valid value anywhere: look in the whole text first (regular
    # expressions only), and tokenize only the files where something passed the checks.
    if next(_values(text, rules), None) is None:
        return []
    hits: list[LiteralHit] = []
    records = LiteralRecords()
    previous: list[tokenize.TokenInfo] = []
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", -1)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL):
                continue
            records.follow(token)
            if token.type in (tokenize.STRING, fstring_middle) and not _skipped(previous, rules):
                named = _names_a_nino(previous, rules)
                record = records.current()
                if _holds_fiction(token.string, rules) or _echoes_its_key(previous, token):
                    records.mark_fiction(record)
                hits.extend(
                    replace(hit, record=record) for hit in _hits_in(token, rules) if hit.kind != "nino" or named
                )
            previous = previous[-1:] + [token]
    except (tokenize.TokenError, SyntaxError):
        pass  # keep what was read before the bad token; the parser reports the error
    if hits and rules.published_links:
        linked = _published_link_lines(text, rules.published_links)
        hits = [hit for hit in hits if hit.kind not in ("email", "phone") or hit.line not in linked]
    made_up = records.made_up({hit.record for hit in hits})
    hits = [hit for hit in hits if hit.record not in made_up]
    if rules.phone_reported_with:
        with_company = {hit.record for hit in hits if hit.kind in rules.phone_reported_with}
        hits = [hit for hit in hits if hit.kind != "phone" or hit.record in with_company]
    series = _numbered_series(hits)
    variants = _address_variants(hits)
    return [hit for hit in hits if hit.digits not in series and hit.address not in variants]


def _echoes_its_key(previous: list[tokenize.TokenInfo], token: tokenize.TokenInfo) -> bool:
    """`'addr_street': 'addr_street'`, `message="message"`: a value that repeats its key fills a form for a test."""
    if len(previous) < 2 or previous[-1].string not in (":", "="):
        return False
    key = previous[-2]
    if key.type == tokenize.NAME:
        name = key.string
    elif key.type == tokenize.STRING:
        name = key.string.strip("\"'")
    else:
        return False
    return len(name) > 2 and token.string.strip("\"'").strip() == name


def _holds_fiction(raw: str, rules: LiteralRules) -> bool:
    """Whether a literal holds a contact reserved for fiction: an example domain's address, a 555 number."""
    if "@" in raw:
        for match in _EMAIL.finditer(raw):
            if is_example_domain(match.group(0).rpartition("@")[2], rules):
                return True
    for pattern, plans in ((_NANP, ("NANP",)), (_UK, ("GB", "AU")), (_INTERNATIONAL, ())):
        for match in pattern.finditer(raw):
            digits = re.sub(r"\D", "", match.group(0))
            numbers = [(plan, digits) for plan in plans] or [_numbering_plan(digits, rules)]
            if any(is_fiction_phone(plan, national, rules) for plan, national in numbers):
                return True
    return False


def _numbered_series(hits: list[LiteralHit]) -> set[str]:
    """Phone numbers of a file that differ from another of its numbers only in their last four digits.

    Tests number the people they make up (+250788000001, +250788000002; +250785551212, +250785551313);
    a real person's number pasted into the code stands alone.
    """
    by_prefix: dict[str, set[str]] = {}
    for hit in hits:
        if hit.kind == "phone" and len(hit.digits) > 6:
            by_prefix.setdefault(hit.digits[:-4], set()).add(hit.digits)
    return {digits for numbers in by_prefix.values() if len(numbers) > 1 for digits in numbers}


def _address_variants(hits: list[LiteralHit]) -> set[str]:
    """Email addresses of a file that another of its addresses repeats but for digits or the domain.

    Tests make up the people they need by numbering one (jo.bo1@, jo.bo3@), by moving it to another
    domain (jo.bo@school.fr, then jo.bo@gmail.com to test a change of address) or by writing it as a
    normaliser receives and returns it (jo.bo.@, jobo@); a real person's address pasted into the code
    stands alone, however often it is repeated.
    """
    by_stem: dict[str, set[str]] = {}
    for hit in hits:
        if hit.kind == "email" and hit.address:
            local = hit.address.rpartition("@")[0].split("+", 1)[0]
            by_stem.setdefault(re.sub(r"[\d._-]+", "", local), set()).add(hit.address)
    return {address for addresses in by_stem.values() if len(addresses) > 1 for address in addresses}


def phones_shared_across_files(texts: dict[str, str]) -> set[tuple[str, int, str]]:
    """(file, line, category) of the phone numbers in ``texts`` whose every number is in another file too.

    A test suite's made-up contacts come back file after file (`make_contact("Joe", phone=...)`);
    a real person's number pasted into one test does not.
    """
    numbers_at: dict[tuple[str, int], set[str]] = {}
    files_of: dict[str, set[str]] = {}
    for display, text in texts.items():
        for hit in find_literals(text):
            if hit.kind == "phone":
                numbers_at.setdefault((display, hit.line), set()).add(hit.digits)
                files_of.setdefault(hit.digits, set()).add(display)
    shared = {digits for digits, where in files_of.items() if len(where) > 1}
    return {(*place, CATEGORIES["phone"]) for place, numbers in numbers_at.items() if numbers <= shared}


def _published_link_lines(text: str, links: tuple[str, ...]) -> set[int]:
    """Lines holding a link that publishes a contact (``"link": "tel:+2682..."``, ``mailto:``)."""
    pattern = _link_pattern(links)
    return {number for number, line in enumerate(text.splitlines(), 1) if pattern.search(line)}


@lru_cache(maxsize=4)
def _link_pattern(links: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(link) for link in links), re.IGNORECASE)


# Words that show a format by an example just before a number (`help_text="... ex: +250788123124"`).
_EXAMPLE_BEFORE = re.compile(r"(?i)\b(?:ex|e\.g|eg|example|for example|such as)\b[.:]?\s*\(?$")


def _hits_in(token: tokenize.TokenInfo, rules: LiteralRules) -> Iterator[LiteralHit]:
    raw = token.string
    row, col = token.start
    for offset, kind, value in _values(raw, rules):
        newlines = raw.count("\n", 0, offset)
        line = row + newlines
        column = col + offset + 1 if newlines == 0 else offset - raw.rfind("\n", 0, offset)
        if kind == "phone" and _EXAMPLE_BEFORE.search(raw, max(0, offset - 40), offset):
            continue  # `help_text="... ex: +250788123124"`: the format shown to whoever types one
        digits = re.sub(r"\D", "", value) if kind == "phone" else ""
        address = value.lower() if kind == "email" else ""
        yield LiteralHit(line, column, kind, CATEGORIES[kind], _mask(kind, value), digits, address)


def literal_points(text: str, display: str, sensitivity_of: Callable[[str], str]) -> tuple[DataPoint, ...]:
    """Data points ("store" in source code) for the real-looking personal literals of a file."""
    points: dict[tuple[int, str], DataPoint] = {}
    for hit in find_literals(text):
        key = (hit.line, hit.category)
        if key in points:
            continue
        points[key] = DataPoint(
            path=display,
            line=hit.line,
            column=hit.column,
            action="store",
            category=hit.category,
            sensitivity=sensitivity_of(hit.category),
            identifier=hit.masked,
            via=LITERAL_VIA,
            protection="none",
            scope="",
            sink_kind=LITERAL_KIND,
            trace=(f"a string literal holds {_REASONS[hit.kind]}",),
        )
    return tuple(points.values())
