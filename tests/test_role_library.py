"""The shipped role library, and the messages a broken template gets."""
import json
import re
from pathlib import Path

import pytest

from tracker.models.enums import MILESTONE_ORDER
from tracker.services.role_catalogue import find_role, read_catalogue, skeleton
from tracker.services.role_library import PACKAGE_LIBRARY, LibraryError, read_library

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REQUIRED_ROLES = {
    "machine-learning-engineer", "mlops-engineer", "ml-platform-engineer",
    "ml-infrastructure-engineer", "model-deployment-engineer", "model-monitoring-engineer",
    "model-governance-engineer", "data-pipeline-engineer", "data-engineer", "data-scientist",
    "devops-engineer-ml", "software-engineer-ml-product", "ml-solution-architect",
    "ai-llm-engineer", "ml-reliability-engineer",
}


@pytest.fixture(scope="module")
def documents():
    return {d.slug: d for d in read_library(PACKAGE_LIBRARY)}


def test_shipped_library_has_every_required_role_and_the_baseline(documents):
    assert REQUIRED_ROLES <= set(documents)
    assert documents["company-baseline"].kind == "baseline"


def test_every_role_has_five_milestones_with_three_goals_or_more(documents):
    for slug in REQUIRED_ROLES:
        milestones = documents[slug].data["milestones"]
        assert list(milestones) == [k.value for k in MILESTONE_ORDER], slug
        for key, milestone in milestones.items():
            assert len(milestone["goals"]) >= 3, (slug, key)
            for goal in milestone["goals"]:
                assert goal["owner"] in {"hire", "manager", "buddy"}
                assert goal["evidence_hint"].strip()


def test_machine_learning_engineer_covers_every_goal_of_the_blueprint(documents):
    counts = json.loads((Path(__file__).parent / "data" / "mle_section6_counts.json").read_text())
    milestones = documents["machine-learning-engineer"].data["milestones"]
    for key, needed in counts.items():
        hire_goals = [g for g in milestones[key]["goals"] if g["owner"] == "hire"]
        assert len(hire_goals) >= needed, key


def test_catalogue_lists_the_appendix_roles_with_unique_slugs():
    roles = read_catalogue(PACKAGE_LIBRARY)
    assert len(roles) >= 55
    assert len({r.slug for r in roles}) == len(roles)
    assert {"mlops-engineer", "ml-solution-architect", "data-engineer"} <= {r.slug for r in roles}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed documents are not beside the repo ({SEEDS})")
def test_library_text_is_our_own_words_not_copied_from_the_seeds(documents):
    """No run of eight words from a seed document appears in any template or the catalogue."""
    size = 8
    seed_runs = set()
    for path in SEEDS.glob("*.txt"):
        words = _words(path.read_text(errors="replace"))
        seed_runs.update(tuple(words[i:i + size]) for i in range(len(words) - size + 1))
    texts = [s for d in documents.values() for s in _strings(d.data)]
    texts += [r.focus for r in read_catalogue(PACKAGE_LIBRARY)]
    copied = []
    for text in texts:
        words = _words(text)
        copied += [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)
                   if tuple(words[i:i + size]) in seed_runs]
    assert copied == []


GOOD = (PACKAGE_LIBRARY / "roles" / "data-engineer.yaml").read_text()


def write_role(folder: Path, text: str, name: str = "data-engineer.yaml") -> Path:
    (folder / "roles").mkdir(parents=True, exist_ok=True)
    path = folder / "roles" / name
    path.write_text(text)
    return path


def problems_for(folder: Path) -> list[str]:
    with pytest.raises(LibraryError) as info:
        read_library(folder)
    return [str(p) for p in info.value.problems]


def line_number(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def test_wrong_owner_names_file_line_place_and_choices(tmp_path):
    text = GOOD.replace("owner: hire", "owner: boss", 1)
    write_role(tmp_path, text)
    line = line_number(text, "owner: boss")
    assert problems_for(tmp_path) == [
        f"data-engineer.yaml:{line}: milestones.d30.goals[0].owner: "
        "'boss' is not allowed; use one of: hire, manager, buddy"]


def test_missing_milestone_is_named(tmp_path):
    text = GOOD.replace("  m12:", "  m13:", 1)
    write_role(tmp_path, text)
    problems = problems_for(tmp_path)
    assert any("milestones: missing required field 'm12'" in p for p in problems)
    assert any("unknown field 'm13'" in p for p in problems)


def test_too_few_goals_says_how_many_are_needed(tmp_path):
    write_role(tmp_path, (
        "slug: data-engineer\nname: Data Engineer\narea: Data\n"
        "summary: Builds the pipelines that feed every model.\nmilestones:\n"
        + "".join(f"  {k.value}:\n    title: A milestone title\n    goals: []\n" for k in MILESTONE_ORDER)))
    problems = problems_for(tmp_path)
    assert len(problems) == 5
    assert problems[0] == "data-engineer.yaml:8: milestones.d30.goals: needs at least 3 entries, found 0"


def test_yaml_syntax_error_gives_the_line(tmp_path):
    write_role(tmp_path, "slug: data-engineer\nname: [unclosed\nsummary: x\n")
    [problem] = problems_for(tmp_path)
    assert problem.startswith("data-engineer.yaml:")
    assert "YAML syntax error" in problem


def test_slug_must_match_the_file_name(tmp_path):
    write_role(tmp_path, GOOD, name="data-wrangler.yaml")
    [problem] = problems_for(tmp_path)
    assert "slug: 'data-engineer' must match the file name 'data-wrangler'" in problem


def test_missing_evidence_hint_is_reported(tmp_path):
    text = re.sub(r"\n( +)evidence_hint:.*?(?=\n\1-|\n  \w|\n    \w|\Z)", "", GOOD, count=1, flags=re.S)
    write_role(tmp_path, text)
    assert any("goals[0]: missing required field 'evidence_hint'" in p for p in problems_for(tmp_path))


def test_skeleton_from_the_catalogue_is_refused_until_filled_in(tmp_path):
    role = find_role(PACKAGE_LIBRARY, "ml-systems-engineer")
    assert role is not None
    write_role(tmp_path, skeleton(role), name="ml-systems-engineer.yaml")
    problems = problems_for(tmp_path)
    assert problems and all("still a TODO placeholder" in p for p in problems)
    assert any(".milestones.d30.goals[0].title" in p or "milestones.d30.goals[0].title" in p for p in problems)


def test_all_problems_are_listed_at_once(tmp_path):
    write_role(tmp_path, GOOD.replace("owner: hire", "owner: boss", 1))
    write_role(tmp_path, "slug: x\n", name="x.yaml")
    problems = problems_for(tmp_path)
    assert {p.split(":")[0] for p in problems} == {"data-engineer.yaml", "x.yaml"}
