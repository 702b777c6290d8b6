"""The batch's shared kernel: notebooks run one after the other in one kernel, each from an empty
namespace, and a kernel that died is replaced."""

from __future__ import annotations

import json

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from helpers.batch import KERNEL_NAME
from helpers.kernel import SharedKernel

pytestmark = pytest.mark.e2e


def _notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell("tag = ''", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(src) for src in sources]
    spec = {"name": KERNEL_NAME, "language": "python", "display_name": KERNEL_NAME}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": spec}), path)
    return path


def _outputs(path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])]


def test_notebooks_share_the_kernel_but_not_the_namespace(tmp_path):
    first = _notebook(tmp_path / "first.ipynb",
                      "import os, json\nleft_behind = 1\nprint(tag, os.getpid())\n"
                      "import matplotlib.pyplot as plt\nfig = plt.figure()")
    second = _notebook(tmp_path / "second.ipynb",
                       "import os, sys\nprint(tag, os.getpid())\n"
                       "print(sorted(n for n in globals() if not n.startswith('_') and n not in "
                       "('In', 'Out', 'get_ipython', 'exit', 'quit', 'open', 'os', 'sys', 'tag')))\n"
                       "import matplotlib.pyplot as plt\nprint('figures', len(plt.get_fignums()))\n"
                       "print('json' in sys.modules)")
    with SharedKernel(KERNEL_NAME, tmp_path) as kernel:
        kernel.execute(first, tmp_path / "out1.ipynb", {"tag": "một"})
        kernel.execute(second, tmp_path / "out2.ipynb", {"tag": "hai"})
        assert kernel.started == 1
    tag1, pid1 = _outputs(tmp_path / "out1.ipynb")[0].split()
    out2 = _outputs(tmp_path / "out2.ipynb")[0].split("\n")
    tag2, pid2 = out2[0].split()
    assert (tag1, tag2) == ("một", "hai")
    assert pid1 == pid2  # the same kernel process
    assert out2[1] == "[]"  # nothing the first notebook defined is visible (not left_behind, fig, plt)
    assert out2[2] == "figures 0"  # the first notebook's figure was closed
    assert out2[3] == "True"  # but the modules it imported stay loaded: that is the saving
    nb = json.loads((tmp_path / "out2.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"] == {"tag": "hai"}
    assert [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"] == [1, 2, 3]


def test_a_failing_notebook_leaves_the_kernel_usable(tmp_path):
    failing = _notebook(tmp_path / "failing.ipynb", "raise ValueError('hỏng')")
    fine = _notebook(tmp_path / "fine.ipynb", "print('ok', tag)")
    with SharedKernel(KERNEL_NAME, tmp_path) as kernel:
        with pytest.raises(PapermillExecutionError, match="hỏng"):
            kernel.execute(failing, tmp_path / "out1.ipynb", {})
        for i in range(3):  # the same cell numbers again and again: nothing but the notebook's own output
            kernel.execute(fine, tmp_path / f"out{i + 2}.ipynb", {"tag": "x"})
            assert _outputs(tmp_path / f"out{i + 2}.ipynb") == ["ok x\n"]
        assert kernel.started == 1


def test_a_dead_kernel_is_replaced_before_the_next_notebook(tmp_path):
    crash = _notebook(tmp_path / "crash.ipynb", "import os\nos._exit(1)")
    fine = _notebook(tmp_path / "fine.ipynb", "print('ok')")
    with SharedKernel(KERNEL_NAME, tmp_path) as kernel:
        with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError or papermill's error
            kernel.execute(crash, tmp_path / "out1.ipynb", {})
        kernel.execute(fine, tmp_path / "out2.ipynb", {})
        assert kernel.started == 2
    assert _outputs(tmp_path / "out2.ipynb") == ["ok\n"]
    assert kernel.km is None  # closed
