"""Deciding which personal-data category, if any, an identifier or key denotes."""

from __future__ import annotations

from dataclasses import dataclass

from minimise.words import ACCESSOR_VERBS, is_constant_name, split_words


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """The names of one category, as word tuples, with its exclusions."""

    category: str
    names: tuple[tuple[str, ...], ...]
    context_names: tuple[tuple[str, ...], ...]
    exclude: frozenset[str]
    requires_context: str = "person"
    type_names: tuple[str, ...] = ()
    # Owner words that count as context for this category (``geo`` for a latitude).
    context_words: frozenset[str] = frozenset()
    # When set, every other word of the name must be one of these or a person word:
    # ``new_password`` is a user's, ``smtp_password`` a service's.
    qualifiers: frozenset[str] | None = None
    # Words of the owner or function around the name that make it something else: a device id in
    # `get_hardware_features` is a hardware model's (a PCI `vendor:device` pair), no one's phone.
    not_context: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Classification:
    """Why a name was judged personal: the category, the matched words and the context used."""

    category: str
    protection: str
    matched: tuple[str, ...]
    via_context: str = ""
    # The category asks for its own context words (a profile's `value`), not a person's.
    own_context: bool = False


class Classifier:
    """Matches identifier words against the category rules, longest name first."""

    def __init__(
        self,
        rules: list[CategoryRule],
        person: frozenset[str],
        not_person: frozenset[str],
        address: frozenset[str],
        exclude_words: frozenset[str],
        protection_words: dict[str, frozenset[str]],
        non_personal: frozenset[str] = frozenset(),
        about_people: frozenset[str] = frozenset(),
        holders: frozenset[str] = frozenset(),
        owned: frozenset[str] = frozenset(),
        relations: frozenset[str] = frozenset(),
        name_modifiers: frozenset[str] = frozenset(),
        service_owners: frozenset[str] = frozenset(),
        label_holders: frozenset[str] = frozenset(),
        places: frozenset[str] = frozenset(),
        containers: frozenset[str] = frozenset(),
        acting_verbs: frozenset[str] = frozenset(),
        whereabouts: frozenset[str] = frozenset(),
        business_identifiers: frozenset[str] = frozenset(),
        special: frozenset[str] = frozenset(),
        text_values: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = rules
        self.person = person
        self.not_person = not_person
        self.about_people = about_people
        self.holders = holders
        self.owned = owned
        self.relations = relations
        self.name_modifiers = name_modifiers
        self.label_holders = label_holders
        self.places = places
        self.containers = containers
        self.acting_verbs = acting_verbs
        self.whereabouts = whereabouts
        self.business_identifiers = business_identifiers
        # Special categories: `religion_group`, `gender_category`, `health_record_item` still name the data.
        self.special = special
        self.text_values = text_values
        self.service_owners = service_owners
        self.address = address
        self.exclude_words = exclude_words
        self.protection_words = protection_words
        self.non_personal = non_personal
        self._cache: dict[tuple[str, tuple[str, ...], bool, bool], Classification | None] = {}
        # Index every name by its first word so a lookup touches few candidates.
        self._by_first: dict[str, list[tuple[CategoryRule, tuple[str, ...], bool]]] = {}
        for rule in rules:
            for words in rule.names:
                self._by_first.setdefault(words[0], []).append((rule, words, False))
            for words in rule.context_names:
                self._by_first.setdefault(words[0], []).append((rule, words, True))
        self._type_names: dict[str, str] = {}
        for rule in rules:
            for type_name in rule.type_names:
                self._type_names[type_name] = rule.category

    def category_for_type(self, type_name: str) -> str | None:
        """A field or annotation type that fixes the category (EmailField, EmailStr)."""
        return self._type_names.get(type_name)

    def classify(
        self,
        identifier: str,
        context: tuple[str, ...] = (),
        user_input: bool = False,
        is_key: bool = False,
    ) -> Classification | None:
        """Classify ``identifier``; ``context`` holds the words of its owner (receiver, class).

        ``user_input`` says the name is a field of user input (a request key, a form
        field), which is itself a person context. ``is_key`` marks string keys, which may
        be upper case (``REMOTE_ADDR``) without being configuration constants.
        """
        cache_key = (identifier, context, user_input, is_key)
        cached = self._cache.get(cache_key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        result = self._classify(identifier, context, user_input, is_key)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _classify(
        self, identifier: str, context: tuple[str, ...], user_input: bool, is_key: bool
    ) -> Classification | None:
        if identifier.startswith("__") and identifier.endswith("__"):
            return None
        if not is_key and identifier.isidentifier() and is_constant_name(identifier):
            return None
        words = split_words(identifier)
        if not words:
            return None
        if identifier.lower() in self.non_personal or " ".join(words) in self.non_personal:
            return None
        # A leading accessor verb is not part of the name (getEmailAddress).
        if len(words) > 1 and words[0] in ACCESSOR_VERBS:
            words = words[1:]
        best: tuple[int, int, CategoryRule, tuple[str, ...], int, str] | None = None
        for start, word in enumerate(words):
            for rule, name, needs_context in self._by_first.get(word, ()):
                end = start + len(name)
                if words[start:end] != name:
                    continue
                rest = words[:start] + words[end:]
                if self._excluded(rest, rule):
                    continue
                if rule.qualifiers is not None and not self._qualified(rest, rule.qualifiers):
                    continue
                if rule.not_context and not rule.not_context.isdisjoint(context):
                    continue
                via_context = ""
                if needs_context:
                    via_context = self._context(
                        rule, rest, context, user_input, words[start - 1] if start else "", name
                    )
                    if not via_context:
                        continue
                score = (len(name), sum(len(w) for w in name))
                if best is None or score > (best[0], best[1]):
                    best = (score[0], score[1], rule, name, start, via_context)
        if best is None:
            return None
        _, _, rule, name, start, via_context = best
        rest = words[:start] + words[start + len(name) :]
        if self._headed_by_a_thing(words[start + len(name) :]) and not self._special(rule.category):
            return None  # `ip_network_group`, `email_roles_template`: a thing the data only describes
        if is_key and not via_context and context and self._owned_by_a_thing(context[0], words):
            return None  # repo["full_name"], project["owner_name"] with no person word: a thing's key
        if _a_service_may_hold(rule.category) and self.held_by_a_service(rest + context):
            return None  # SMTPServer.password, radius_secret: the service's own account
        return Classification(rule.category, self._protection(rest), name, via_context, rule.requires_context == "own")

    def thing_attribute(self, owner_words: tuple[str, ...], attribute: str) -> bool:
        """Whether ``owner.attribute`` is a thing's own (a queue's mailbox, a company's address), not a person's.

        The owner's words name a thing and no person, and the attribute names no person either.
        """
        if not any(self._owned_by_a_thing(word, ()) for word in owner_words):
            return False
        return not any(self._is_person_word(w) for w in owner_words + split_words(attribute))

    def names_a_things_name(self, words: tuple[str, ...]) -> bool:
        """Whether words say they are a thing's own name (`file_name`, `connector_display_name`, `team.title`).

        They end in one of the `owned` names, a thing's word comes before it, and no person's word is among them.
        """
        if len(words) > 1 and words[0] in ACCESSOR_VERBS:
            words = words[1:]
        for size in (2, 1):
            if len(words) > size and " ".join(words[-size:]) in self.owned:
                before = words[:-size]
                return any(self._is_thing_word(w) for w in before) and not any(self._is_person_word(w) for w in words)
        return False

    def owns_attribute(self, owner_words: tuple[str, ...], attribute: str) -> bool:
        """Whether ``owner.attribute`` is the owner's own name (``case.name``, ``signal.display_name``).

        So it is when the attribute is one of the `owned` names and the owner's name says what it is and
        that is no person: ``case.name`` in ``update_case_participants`` is the case's name. A holder
        (``obj``, ``row``, ``data``, ``u``) says nothing of what it holds: the function's words still count.
        """
        if " ".join(split_words(attribute)) not in self.owned:
            return False
        specific = [w for w in owner_words if len(w) > 2 and w not in self.holders and not w.isdigit()]
        return bool(specific) and not any(self._is_person_word(w) for w in owner_words)

    def without_links(self, words: tuple[str, ...], owner: tuple[str, ...]) -> tuple[str, ...]:
        """An attribute's words minus the relation words that link things: ``fk.parent`` is a tree's link.

        A relation word is a person's only when its owner is one (``student.parent``) or unknown (``self``).
        """
        if not owner or not any(w in self.relations for w in words):
            return words
        if owner[-1] in ("self", "cls") or any(self._is_person_word(w) for w in owner):
            return words
        return tuple(w for w in words if w not in self.relations)

    def acts_on_its_data(self, function: str) -> bool:
        """Whether a called function's name says what it does with the data (`store_failed_email`), not what it is."""
        words = split_words(function)
        return len(words) > 1 and words[0] in self.acting_verbs

    def names_a_thing(self, words: tuple[str, ...]) -> bool:
        """Whether every word names a thing (``organization``, ``team_id``): no person's data by itself."""
        kept = [w for w in words if not w.isdigit() and w not in ("id", "ids")]
        return bool(kept) and all(self._is_thing_word(w) for w in kept)

    def names_a_place_or_thing(self, words: tuple[str, ...]) -> bool:
        """Whether a class's name says it is a place (``MeetingRoom``) or only things (``EventApplication``)."""
        if words and words[-1] in self.whereabouts and any(self._is_person_word(w) for w in words[:-1]):
            return False  # `UserLocation`: where a person is
        return bool(words) and (words[-1] in self.places or self.names_a_thing(words))

    def is_text(self, category: str) -> bool:
        """Whether a category's values are text, so no arithmetic result is one."""
        return any(category == t or category.startswith(t + ".") for t in self.text_values)

    def _special(self, category: str) -> bool:
        return any(category == s or category.startswith(s + ".") for s in self.special)

    def _headed_by_a_thing(self, after: tuple[str, ...]) -> bool:
        """Whether the words after the matched name end in a thing's word and name no person."""
        if not after or any(self._is_person_word(w) for w in after):
            return False
        return after[-1] not in self.containers and self._is_thing_word(after[-1])

    def _is_person_word(self, word: str) -> bool:
        return word in self.person or (word.endswith("s") and word[:-1] in self.person)

    def _is_thing_word(self, word: str) -> bool:
        return word in self.not_person or (word.endswith("s") and word[:-1] in self.not_person)

    def _owned_by_a_thing(self, owner: str, words: tuple[str, ...]) -> bool:
        """Whether a key's nearest owner is a thing (a repository, a project) and the key names no person."""
        if not self._is_thing_word(owner):
            return False
        return not any(self._is_person_word(w) for w in words)

    def _qualified(self, rest: tuple[str, ...], allowed: frozenset[str]) -> bool:
        for word in rest:
            if word.isdigit() or word in allowed or word in self.person or word in self._all_protection:
                continue
            if word.endswith("s") and word[:-1] in self.person:
                continue
            return False
        return True

    def _excluded(self, rest: tuple[str, ...], rule: CategoryRule) -> bool:
        for word in rest:
            if word in rule.exclude or word in self.exclude_words:
                return True
        return False

    def _context(
        self,
        rule: CategoryRule,
        rest: tuple[str, ...],
        context: tuple[str, ...],
        user_input: bool,
        before: str = "",
        matched: tuple[str, ...] = (),
    ) -> str:
        """Name the context that makes a context-only name personal, or '' if none does.

        The word just before the name owns it: ``tier_display_name`` is a tier's, ``parse_user_tool_name``
        a tool's, whatever else the identifier says; ``customer_display_name`` a customer's.
        """
        if rule.requires_context == "own":
            wanted = rule.context_words
        else:
            wanted = (self.address if rule.requires_context == "address" else self.person) | rule.context_words
        own = [w for w in rest if not w.isdigit() and w not in self._all_protection]
        own = [w[:-1] if w.endswith("s") and w[:-1] in wanted else w for w in own]
        owner = before[:-1] if before.endswith("s") and before[:-1] in wanted else before
        if (
            rule.requires_context == "person"
            and owner.isalpha()
            and owner not in wanted
            and owner not in self.name_modifiers
            and any(w in wanted for w in own)
        ):
            return ""  # `parse_user_tool_name`: the tool's name, though a person is named before it
        context = tuple(w[:-1] if w.endswith("s") and w[:-1] in wanted else w for w in context)
        # An account's bare name is its label (`account_name`); its `mail` is still its holder's address.
        own_name = rule.requires_context == "person" and " ".join(matched) in self.owned
        holders = self.label_holders if own_name else frozenset()
        if own and all(w in holders for w in own):
            return ""  # `account_name`: the account's label; its holder's is `account_full_name`
        if own:
            if any(w in wanted for w in own):
                return "name"
            if rule.requires_context == "person" and all(w in self.address for w in own):
                return "name"
            return ""
        # Context words run from the nearest owner outwards (function, class, module): the
        # first that says person or not-person decides (rename_product in CustomerRepository).
        for i, w in enumerate(context):
            if w in holders:
                return ""  # `account.name`, `name` in `create_account`: the account's own label
            if w in wanted:
                # "user field", "shipping method", "admin site": a thing about people, not a person.
                following = context[i + 1] if i + 1 < len(context) else ""
                if rule.requires_context != "own" and following in self.about_people:
                    return ""
                if (
                    rule.requires_context == "own"
                    and self._is_thing_word(following)
                    and following not in self.about_people
                ):
                    return ""  # `MergeProfileConfiguration.value`: the configuration's, not the profile's answer
                return "owner"
            if w in self.not_person or (w.endswith("s") and w[:-1] in self.not_person):
                return ""
        if user_input and rule.requires_context == "person":
            return "user input"
        return ""

    def classify_keyword(self, keyword: str, callee_words: tuple[str, ...]) -> Classification | None:
        """Classify a keyword argument or field name given to a callee (``ApiClient(api_key=...)``).

        The callee's words decide only whose secret it is: an API client's key is the client's, but a
        supplier's password is still a person's login.
        """
        found = self.classify(keyword, (), False, True)
        if found is not None and _a_service_may_hold(found.category) and self.held_by_a_service(callee_words):
            return None
        return found

    def held_by_a_service(self, owners: tuple[str, ...]) -> bool:
        """Whether a service word names the holder of a secret before any person word does."""
        for i, word in enumerate(owners):
            single = word[:-1] if word.endswith("s") else word
            if word in self.person or single in self.person:
                return False
            joined = word + "".join(owners[i + 1 : i + 2])  # two words that are one: `ApiClient` is apiclient
            if word in self.service_owners or joined in self.service_owners:
                return True
        return False

    @property
    def _all_protection(self) -> frozenset[str]:
        cached = getattr(self, "_protection_union", None)
        if cached is None:
            cached = frozenset().union(*self.protection_words.values())
            self._protection_union = cached
        return cached

    def _protection(self, rest: tuple[str, ...]) -> str:
        for protection, words in self.protection_words.items():
            if any(w in words for w in rest):
                return protection
        return "none"


_MISSING = object()


def _a_service_may_hold(category: str) -> bool:
    """Categories a service holds as well as a person: its account name and its secrets (not an address:
    a mailer's or an SMTP relay's functions handle the recipients' addresses)."""
    return category.startswith("user.authorization.") or category == "user.account.username"


# Words so common in code that a prefilter keyed on them would select every file.
_COMMON = frozenset(
    "return data number date name code id type time info status key list text value the of for in on at by to "
    "and or is no new old set get add one all any user account test result results record records line plan "
    "group level state first last full real print input open file model object class self def import from".split()
)
