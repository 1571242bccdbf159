"""Check content packs the way an install would read them: `python -m content.packs.check DIR… [--eval FILE]`.

With no --eval, a pack shipped in this repository is checked with its tutor evaluation file
(bench/data/tutor_eval/<pack>.jsonl) when that file exists.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from content.packs.pack import check_eval, read_pack

REPO_EVAL_DIR = Path(__file__).resolve().parents[2] / "bench" / "data" / "tutor_eval"


def main(argv: list[str]) -> int:
    """Print each pack's counts and problems; return 1 when any pack has a problem."""
    evals = [Path(a) for a in argv[argv.index("--eval") + 1:]] if "--eval" in argv else []
    dirs = [Path(a) for a in (argv[:argv.index("--eval")] if "--eval" in argv else argv)]
    failed = False
    for directory in dirs:
        pack = read_pack(directory)
        problems = list(pack.problems)
        eval_files = evals or [p for p in [REPO_EVAL_DIR / f"{pack.name}.jsonl"] if p.is_file()]
        for path in eval_files:
            problems += check_eval(pack, path)
        kinds = Counter(str(m.kind) for m in pack.materials)
        types = Counter(str(q.item.type) for q in pack.questions)
        print(f"{pack.name}: {len(pack.materials)} materials {dict(kinds)}, {len(pack.questions)} questions "
              f"{dict(types)}, {len(problems)} problems")
        for problem in problems:
            print(f"  - {problem}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
