"""The worker processes of ``--jobs N`` (fitlint.parallel): every file is
done once, a worker keeps to its own stretch of the list before taking
others' files, and a dying worker costs only the file it was on."""
import os
import random
import sys

import pytest

from fitlint import parallel


def test_stretches_cover_the_list_in_order_with_even_weight():
    """Stretches are contiguous, in order, cover every item, and none
    weighs more than its share plus one item."""
    rng = random.Random(7)
    for _ in range(200):
        weights = [rng.randint(1, 100) for _ in range(rng.randint(0, 60))]
        parts = rng.randint(1, 6)
        got = parallel.stretches(weights, parts)
        assert len(got) == parts
        assert got[0][0] == 0 and got[-1][1] == len(weights)
        assert all(a[1] == b[0] and a[0] <= a[1] for a, b in zip(got, got[1:]))
        share = sum(weights) / parts
        for start, end in got:
            assert sum(weights[start:end]) <= share + max(weights, default=0)


def test_stretches_of_equal_weights_are_equal():
    """Equal weights give stretches of equal length; a heavy item may fill
    a stretch alone."""
    assert parallel.stretches([1] * 10, 2) == [(0, 5), (5, 10)]
    assert parallel.stretches([1] * 9, 3) == [(0, 3), (3, 6), (6, 9)]
    assert parallel.stretches([5, 1, 1, 1, 1, 1], 2) == [(0, 1), (1, 6)]


def test_cuts_fall_between_packages_within_the_slack():
    """Given the files' paths, a cut moves to where the files around it
    share the fewest folders, if that is within the slack of its place by
    weight; stretches still cover the list in order."""
    a = [os.path.join("p", "a", "x", f"m{i}.py") for i in range(4)]
    b = [os.path.join("p", "b", "y", f"t{i}.py") for i in range(6)]
    paths = a + b
    # By weight alone the cut is inside b (after 5 of 10 equal items).
    assert parallel.stretches([1] * 10, 2) == [(0, 5), (5, 10)]
    # Within 1/8 of a share (0.625 items) of the cut there is no package
    # boundary: the cut stays.
    assert parallel.stretches([1] * 10, 2, paths) == [(0, 5), (5, 10)]
    # Heavier items: the boundary between a and b (after 4 items, weight
    # 40 of 100, the cut 50 +- 6.25) is still too far...
    assert parallel.stretches([10] * 10, 2, paths) == [(0, 5), (5, 10)]
    # ...but not when a's last module weighs more: then a stays whole.
    assert parallel.stretches([10, 10, 10, 16, 9, 9, 9, 9, 9, 9], 2, paths) == [(0, 4), (4, 10)]
    # Inside one package folder, a deeper folder boundary wins over none.
    deeper = [os.path.join("p", "a", "x", f"m{i}.py") for i in range(5)] + \
        [os.path.join("p", "a", "z", f"n{i}.py") for i in range(5)]
    assert parallel.stretches([10] * 10 + [1, 1], 2, deeper + ["q.py", "r.py"]) == [(0, 5), (5, 12)]
    assert parallel.stretches([10] * 10 + [1, 1], 2) == [(0, 6), (6, 12)]
    rng = random.Random(3)
    for _ in range(200):
        count = rng.randint(0, 40)
        weights = [rng.randint(1, 100) for _ in range(count)]
        names = sorted(os.path.join(*[rng.choice("ab") for _ in range(rng.randint(1, 4))], f"f{i}.py")
                       for i in range(count))
        parts = rng.randint(1, 5)
        got = parallel.stretches(weights, parts, names)
        assert len(got) == parts and got[0][0] == 0 and got[-1][1] == count
        assert all(x[1] == y[0] and x[0] <= x[1] for x, y in zip(got, got[1:]))


def test_a_notebook_weighs_its_code_cells(tmp_path):
    """A notebook counts for the characters of its code cells, not for its
    outputs; an unreadable one for almost nothing."""
    import json

    cells = [{"cell_type": "code", "source": ["x = 1\n", "y = 2\n"],
              "outputs": [{"data": {"image/png": "A" * 50000}}]},
             {"cell_type": "markdown", "source": "# title " * 100},
             {"cell_type": "code", "source": "print(x)"}]
    book = tmp_path / "n.ipynb"
    book.write_text(json.dumps({"cells": cells, "nbformat": 4}))
    assert parallel.weight(str(book)) == len("x = 1\ny = 2\n") + len("print(x)")
    broken = tmp_path / "b.ipynb"
    broken.write_text("{not json")
    assert parallel.weight(str(broken)) == 1
    script = tmp_path / "s.py"
    script.write_text("x = 1\n" * 10)
    assert parallel.weight(str(script)) == 60
    assert parallel.weight(str(tmp_path / "gone.py")) == 1


class _Bounds(list):
    """The shared bounds, in one process."""

    def get_lock(self):
        import threading
        return threading.Lock()


def test_a_worker_takes_its_own_stretch_then_the_last_files_of_the_longest_other():
    """Claims go through a worker's stretch in order, then take the last
    item of the stretch with the most left, until none is left."""
    bounds = _Bounds([0, 3, 3, 10])  # worker 0: items 0-2, worker 1: 3-9
    taken = [parallel._claim(bounds, 0, 2) for _ in range(6)]
    assert taken == [0, 1, 2, 9, 8, 7]
    assert [parallel._claim(bounds, 1, 2) for _ in range(5)] == [3, 4, 5, 6, -1]
    assert parallel._claim(bounds, 0, 2) == -1


_DONE_HERE = []  # the items this process computed, in order (each worker has its own copy)


def _pid_and_square(n):
    _DONE_HERE.append(n)
    return os.getpid(), n * n, len(_DONE_HERE) - 1


def _dies_on_three(n):
    if n == 3:
        os._exit(3)
    return n * n


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers")
def test_every_item_is_done_once_and_each_worker_starts_with_its_own_stretch():
    """Every item's result arrives once, computed in a worker process; each
    worker begins with the first item of its own stretch (0 or 20). A worker
    that starts late may find its stretch taken by the other: it computes
    nothing."""
    items = list(range(40))
    arrived = []
    found = parallel.run(_pid_and_square, items, [1] * 40, 2, arrived.append)
    assert sorted(found) == items and sorted(arrived) == items
    assert [found[i][1] for i in items] == [i * i for i in items]
    pids = {pid for pid, _, _ in found.values()}
    assert len(pids) in (1, 2) and os.getpid() not in pids
    firsts = sorted(i for i, (_, _, order) in found.items() if order == 0)
    assert firsts in ([0, 20], [0], [20]), firsts


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers")
def test_a_dying_worker_leaves_only_its_file_without_a_result():
    """A worker that dies on an item leaves that item without a result; the
    other worker takes the rest of its stretch."""
    items = list(range(12))
    found = parallel.run(_dies_on_three, items, [1] * 12, 2)
    assert sorted(found) == [i for i in items if i != 3]
    assert all(found[i] == i * i for i in found)
