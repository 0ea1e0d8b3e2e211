"""`make mutate`: mutation testing of the core with mutmut, then the score.

    .venv/bin/python tests/mutate.py [MODULE ...] [--max-children N]

MODULEs are paths such as actions/services.py (default: every module in pyproject's
[tool.mutmut] only_mutate). mutmut copies the code to mutants/, makes each small change
(a mutant) in turn and runs the fast tests that cover the changed function; a mutant that no
test notices "survived". Survivors that no test could notice (the code means the same) are
listed with the reason in tests/mutation_equivalents.md. Prints the survivors not explained
there, then last `mutation score: K/N killed (P%)`; exits non-zero if any survivor is
unexplained.
"""

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.md"
KILLED = {1, 3, -24, 24, 152, 255, 36}  # mutmut's exit codes for "killed" and "timeout" (a hang caught)
NOT_RUN = {None}


def core_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return config["only_mutate"]


def mutant_glob(module: str) -> str:
    """mutmut names mutants `actions.services.x_record_status__mutmut_3`: the module's dotted path, then the
    function."""
    return module.removesuffix(".py").replace("/", ".") + ".*"


def listed_equivalents() -> set[str]:
    """Mutant names in the equivalents file: each is the first `backticked` word of a list item."""
    if not EQUIVALENTS.exists():
        return set()
    return set(re.findall(r"^- `([^`]+__mutmut_\d+)`", EQUIVALENTS.read_text(), flags=re.MULTILINE))


def results(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        return {}
    return json.loads(meta.read_text())["exit_code_by_key"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths such as actions/services.py (default: the whole core)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--score-only", action="store_true", help="print the score of the last run, run nothing")
    options = parser.parse_args()
    core = core_modules()
    modules = options.modules or core
    unknown = [module for module in modules if module not in core]
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")

    if not options.score_only:
        mutmut = str(Path(sys.executable).with_name("mutmut"))
        command = [mutmut, "run", "--max-children", str(options.max_children), *map(mutant_glob, modules)]
        completed = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 - our own fixed command
        if completed.returncode:
            print(f"mutmut run failed (exit {completed.returncode})", file=sys.stderr)
            return completed.returncode

    equivalents = listed_equivalents()
    killed = total = 0
    unexplained, explained, not_run = [], [], []
    for module in modules:
        for name, exit_code in sorted(results(module).items()):
            total += 1
            if exit_code in KILLED:
                killed += 1
            elif exit_code in NOT_RUN:
                not_run.append(name)
            elif name in equivalents:
                explained.append(name)
            else:
                unexplained.append(name)
    for name in unexplained:
        print(f"survived: {name}  (see: .venv/bin/mutmut show {name})")
    if not_run:
        print(f"{len(not_run)} mutants not run yet")
    print(f"{len(explained)} survivors listed as equivalent in {EQUIVALENTS.relative_to(ROOT)}")
    percent = 100 * killed / total if total else 0.0
    print(f"mutation score: {killed}/{total} killed ({percent:.1f}%)")
    return 1 if unexplained or not_run or not total else 0


if __name__ == "__main__":
    sys.exit(main())
