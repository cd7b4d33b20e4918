"""The child process that parses one uploaded file (上传表格) (`python -m fupin.sheets.child`).

Reads (data, filename, limits) as a pickle on stdin, limits its own address space and CPU time,
parses, and writes ("cells", rows) or ("fault", Chinese message) as a pickle on stdout. If the
file makes the parser allocate beyond the limit, this process dies and only this process.
"""

import pickle
import resource
import sys


def main() -> None:
    data, filename, limits = pickle.loads(sys.stdin.buffer.read())
    from fupin.sheets.read import FileFault, Limits, parse

    limits = Limits(**limits)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, limits.seconds + 5))
    try:
        result = ("cells", parse(data, filename, limits))
    except FileFault as exc:
        result = ("fault", str(exc))
    del data
    out = pickle.Pickler(sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    out.fast = True  # plain lists of scalars: no memo needed, and dumping is several times faster
    out.dump(result)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
