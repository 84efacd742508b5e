"""Builds the classifier from personal_data.yaml sections: categories, context words, sensitivity."""

from __future__ import annotations

from dataclasses import dataclass, field

from minimise.classify import CategoryRule, Classifier
from minimise.knowledge.reader import RuleDocument
from minimise.knowledge.records import Example
from minimise.taxonomy import Taxonomy
from minimise.words import split_words

CATEGORY_KEYS = {
    "category",
    "names",
    "context_names",
    "exclude",
    "examples",
    "requires_context",
    "type_names",
    "context",
    "qualifiers",
    "not_context",
    "label",
}
_CONTEXT_KEYS = {
    "person",
    "address",
    "not_person",
    "about_people",
    "holders",
    "owned",
    "relations",
    "name_modifiers",
    "label_holders",
    "places",
    "containers",
    "acting_verbs",
    "whereabouts",
    "business_identifiers",
    "service_owners",
}
_TIERS = {"low", "medium", "high", "special"}
_PROTECTIONS = {"hashed", "encrypted", "masked", "tokenised"}


@dataclass
class PersonalData:
    classifier: Classifier
    sensitivity: dict[str, str]
    labels: dict[str, str]
    name_examples: list[tuple[str, str, bool]]
    snippets: list[Example] = field(default_factory=list)


def build_personal_data(
    documents: list[RuleDocument], taxonomy: Taxonomy, non_personal: tuple[str, ...]
) -> PersonalData:
    context: dict[str, set[str]] = {k: set() for k in _CONTEXT_KEYS}
    exclude_words: set[str] = set()
    protection_words: dict[str, set[str]] = {}
    sensitivity: dict[str, str] = {}
    text_values: set[str] = set()
    rules: list[CategoryRule] = []
    labels: dict[str, str] = {}
    name_examples: list[tuple[str, str, bool]] = []
    snippets: list[Example] = []
    for doc in documents:
        reader, data = doc.reader, doc.data
        if "context" in data:
            for key, words in reader.mapping(data["context"], ("context",), _CONTEXT_KEYS).items():
                context[key] |= set(reader.strings(words, ("context", key)))
        exclude_words |= set(reader.strings(data.get("exclude_words"), ("exclude_words",)))
        if "protection_words" in data:
            for key, words in reader.mapping(data["protection_words"], ("protection_words",), _PROTECTIONS).items():
                protection_words.setdefault(key, set()).update(reader.strings(words, ("protection_words", key)))
        if "sensitivity" in data:
            for tier, keys in reader.mapping(data["sensitivity"], ("sensitivity",), _TIERS).items():
                for i, key in enumerate(reader.strings(keys, ("sensitivity", tier))):
                    if key not in taxonomy.categories:
                        reader.fail(("sensitivity", tier, i), f"unknown category {key!r}{taxonomy.suggest(key)}")
                    sensitivity[key] = tier
        for i, key in enumerate(reader.strings(data.get("text_values"), ("text_values",))):
            if key not in taxonomy.categories:
                reader.fail(("text_values", i), f"unknown category {key!r}{taxonomy.suggest(key)}")
            text_values.add(key)
        for i, entry in enumerate(reader.entries(data.get("categories"), ("categories",))):
            where: tuple[object, ...] = ("categories", i)
            reader.mapping(entry, where, CATEGORY_KEYS)
            category = reader.string(entry.get("category"), where + ("category",))
            if category not in taxonomy.categories:
                reader.fail(where + ("category",), f"unknown category {category!r}{taxonomy.suggest(category)}")
            if entry.get("label") is not None:
                labels[category] = reader.string(entry.get("label"), where + ("label",))
            requires = entry.get("requires_context", "person")
            if requires not in ("person", "address", "own"):
                reader.fail(where + ("requires_context",), "expected person, address or own")
            rules.append(
                CategoryRule(
                    category=category,
                    names=reader.word_tuples(entry.get("names"), where + ("names",)),
                    context_names=reader.word_tuples(entry.get("context_names"), where + ("context_names",)),
                    exclude=frozenset(
                        w for x in reader.strings(entry.get("exclude"), where + ("exclude",)) for w in split_words(x)
                    ),
                    requires_context=requires,
                    type_names=tuple(reader.strings(entry.get("type_names"), where + ("type_names",))),
                    context_words=frozenset(reader.strings(entry.get("context"), where + ("context",))),
                    not_context=frozenset(reader.strings(entry.get("not_context"), where + ("not_context",))),
                    qualifiers=(
                        frozenset(
                            w
                            for x in reader.strings(entry.get("qualifiers"), where + ("qualifiers",))
                            for w in split_words(x)
                        )
                        if "qualifiers" in entry
                        else None
                    ),
                )
            )
            examples = entry.get("examples")
            if isinstance(examples, list):  # annotated snippets, the dialect of every rule file
                snippets += reader.snippets(examples, where + ("examples",), f"categories:{category}")
                continue
            # Name lists (match / no_match) stay accepted: a name is classified in a customer context.
            ex = reader.mapping(examples or {}, where + ("examples",), {"match", "no_match"})
            name_examples += [
                (category, n, True) for n in reader.strings(ex.get("match"), where + ("examples", "match"))
            ]
            name_examples += [
                (category, n, False) for n in reader.strings(ex.get("no_match"), where + ("examples", "no_match"))
            ]
    classifier = Classifier(
        rules,
        person=frozenset(context["person"]),
        not_person=frozenset(context["not_person"]),
        about_people=frozenset(context["about_people"]),
        holders=frozenset(context["holders"]),
        owned=frozenset(context["owned"]),
        relations=frozenset(context["relations"]),
        name_modifiers=frozenset(context["name_modifiers"]),
        label_holders=frozenset(context["label_holders"]),
        places=frozenset(context["places"]),
        containers=frozenset(context["containers"]),
        acting_verbs=frozenset(context["acting_verbs"]),
        whereabouts=frozenset(context["whereabouts"]),
        business_identifiers=frozenset(" ".join(split_words(w)) for w in context["business_identifiers"]),
        special=frozenset(k for k, tier in sensitivity.items() if tier == "special"),
        text_values=frozenset(text_values),
        service_owners=frozenset(context["service_owners"]),
        address=frozenset(context["address"]),
        exclude_words=frozenset(exclude_words),
        protection_words={k: frozenset(v) for k, v in protection_words.items()},
        non_personal=frozenset(n.lower() for n in non_personal)
        | frozenset(" ".join(split_words(n)) for n in non_personal),
    )
    return PersonalData(classifier, sensitivity, labels, name_examples, snippets)
