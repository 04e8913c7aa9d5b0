"""Two library-quality rules a merged plan (baseline + role) must keep, kept simple enough to
explain to the person writing a template:

* **No two goals of the same meaning in one milestone.** A title is reduced to its content words
  (lower case, stop words dropped, a light plural/tense stemmer, a small synonym table); two goals
  mean the same when they share at least two content words and those make up at least
  ``THRESHOLD`` (half) of the shorter title's. "Hold the first 1:1 and agree expectations"
  beside "Set expectations for the first 90 days" shares {agree, expectation} out of four
  words: a repeat.
* **No goal that repeats the milestone check-in.** Every milestone already has a check-in
  (self-assessment, manager assessment, rating, next steps), so a goal titled like "Hold the
  90-day review" or "Prepare a self-assessment" is the check-in a second time.

Only titles are compared: the title is what a hire reads in the list, and it keeps the rule
predictable. The functions take plain goal dicts (the YAML's shape) so the tests can feed them
anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Mapping

THRESHOLD = 0.5
STOP_WORDS = frozenset("""
    a an the and or of to for in on at by with from into as its it this that your their our
    one first new every each all any own hire hire's buddy manager them they you we
""".split())
# Words that say the same thing in a goal title, mapped to one spelling.
SYNONYMS = {
    "set": "agree", "confirm": "agree", "settle": "agree",
    "conduct": "hold",
    "meeting": "meet", "introduce": "meet", "introduction": "meet",
    "1": "one-to-one", "1-1": "one-to-one", "11": "one-to-one",
    "setup": "set-up", "env": "environment", "dev": "development",
    "observe": "shadow", "watch": "shadow",
    "shift": "rota", "week": "rota", "call": "on-call",
    "cut": "reduce", "lower": "reduce", "shorten": "reduce", "decrease": "reduce",
    "raise": "improve", "increase": "improve", "grow": "improve",
    "cost": "spend", "costs": "spend",
}
MILESTONE_WORDS = (r"\d+[- ]day|day[- ]\d+|\d+ days|(six|6|twelve|12)[- ]month|annual|yearly"
                   r"|the year|year[- ]end|next[- ]year")
CHECK_IN_PATTERNS = [
    re.compile(r"\bcheck[- ]?in\b", re.I),
    re.compile(r"\bself[- ]assessment\b", re.I),
    re.compile(rf"\b(review|feedback|reflect\w*|retrospective)\b.*\b({MILESTONE_WORDS})\b", re.I),
    re.compile(rf"\b({MILESTONE_WORDS})\b.*\b(review|feedback|conversation)\b", re.I),
    re.compile(rf"\bat (the )?({MILESTONE_WORDS})\b", re.I),
]


@dataclass(frozen=True)
class Finding:
    milestone: str
    message: str

    def __str__(self) -> str:
        return f"{self.milestone}: {self.message}"


def stem(word: str) -> str:
    """Plural and tense endings only: enough to meet "expectations" with "expectation"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def content_words(title: str) -> frozenset[str]:
    text = re.sub(r"\bset(ting)? up\b", "setup", title.lower().replace(":", "-"))
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text)
    out = set()
    for word in words:
        if word in STOP_WORDS:
            continue
        word = SYNONYMS.get(word, word)
        word = SYNONYMS.get(stem(word), stem(word))
        out.add(word)
    return frozenset(out)


def similarity(first: str, second: str) -> tuple[float, frozenset[str]]:
    """Shared content words over the shorter title's, and the shared words themselves."""
    a, b = content_words(first), content_words(second)
    shared = a & b
    if not a or not b:
        return 0.0, shared
    return len(shared) / min(len(a), len(b)), shared


def same_meaning(first: str, second: str) -> bool:
    score, shared = similarity(first, second)
    return len(shared) >= 2 and score >= THRESHOLD


def repeats_check_in(title: str) -> bool:
    return any(pattern.search(title) for pattern in CHECK_IN_PATTERNS)


def milestone_findings(milestone: str, goals: Iterable[Mapping]) -> list[Finding]:
    goals = list(goals)
    findings = [Finding(milestone, f"{g['title']!r} repeats the milestone check-in")
                for g in goals if repeats_check_in(g["title"])]
    for one, other in combinations(goals, 2):
        if same_meaning(one["title"], other["title"]):
            shared = ", ".join(sorted(similarity(one["title"], other["title"])[1]))
            findings.append(Finding(milestone, f"{one['title']!r} and {other['title']!r} mean "
                                               f"the same (shared: {shared})"))
    return findings


def merged_milestones(role: Mapping, baseline: Mapping | None) -> dict[str, list[Mapping]]:
    """The goals of each milestone as a plan has them: the baseline's first, then the role's."""
    keys = list(role["milestones"])
    merged = {key: list((baseline or {}).get("milestones", {}).get(key, {}).get("goals", []))
              for key in keys}
    for key in keys:
        merged[key] += role["milestones"][key]["goals"]
    return merged


def plan_findings(role: Mapping, baseline: Mapping | None = None) -> list[Finding]:
    """Every repeat in the plan a role makes, with or without the baseline merged in."""
    return [finding for key, goals in merged_milestones(role, baseline).items()
            for finding in milestone_findings(key, goals)]
