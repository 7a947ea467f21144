"""Matrix products of the semi-supervised GAN's step in libtorch's MKL, with and without the MKL switch, and in OpenBLAS.

  python3 bench/mkl_sgemm.py [--threads 1] [--repeats 7]

Calls `sgemm_` directly (Fortran BLAS interface) on the shapes of the shipped Mlp classifier's step (400 rows; forward
784->1000 ... 250->250, the first layer's weight and input gradients) in:
  - the MKL linked into libtorch_cpu.so of the built samples app (what TorchSharp multiplies with), as it runs by default;
  - the same MKL after the switch of `GanRuntime.UseMklIntelKernels` (its kept answer to "is this an Intel processor?"
    set to 1 before its first routine; done here the way src/Microsoft.ML.Gan/Torch/MklVendorCheck.cs does it);
  - Debian's OpenBLAS (libopenblas0-pthread), which the PyTorch reference of bench/run.sh multiplies with.
MKL keeps its kernels from its first routine on, so the default and the switched MKL run in two child processes; OpenBLAS
runs in both, interleaved with MKL, as a yardstick. Prints a Markdown table: best-of-repeats milliseconds per call.
Needs the app built (`./build.sh build`) and libopenblas0-pthread.
"""
import argparse
import ctypes
import json
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
NATIVE = ROOT / "src/Gan.Samples/bin/Release/net10.0/runtimes/linux-x64/native"
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"
# (name, transa, transb, m, n, k) in column-major terms, as libtorch calls sgemm_ for linear layers over 400 rows.
SHAPES = [("forward 784->1000", b"T", b"N", 1000, 400, 784), ("forward 1000->500", b"T", b"N", 500, 400, 1000),
          ("forward 500->250", b"T", b"N", 250, 400, 500), ("forward 250->250", b"T", b"N", 250, 400, 250),
          ("weight gradient 1000x784", b"N", b"T", 784, 1000, 400), ("input gradient 400x784", b"N", b"N", 784, 400, 1000)]


def load(switched, threads):
    for name in ("libgomp-98b21ff3.so.1", "libc10.so"):
        matches = sorted(NATIVE.glob(name.replace("98b21ff3", "*")))
        ctypes.CDLL(str(matches[0] if matches else NATIVE / name), mode=ctypes.RTLD_GLOBAL)
    mkl = ctypes.CDLL(str(NATIVE / "libtorch_cpu.so"))
    if switched:
        function = ctypes.cast(mkl.mkl_serv_intel_cpu_true, ctypes.c_void_p).value
        code = ctypes.string_at(function, 11)
        if code[0:2] != b"\x8b\x05" or code[6:11] != b"\x85\xc0\x78\x01\xc3":
            sys.exit(f"mkl_serv_intel_cpu_true starts with {code.hex()}, not the load the switch knows")
        answer = ctypes.c_int.from_address(function + 6 + int.from_bytes(code[2:6], "little", signed=True))
        if answer.value >= 0:
            sys.exit(f"MKL has answered already ({answer.value})")
        answer.value = 1
    mkl.MKL_Set_Num_Threads_Local(threads)
    openblas = ctypes.CDLL(OPENBLAS)
    ctypes.CDLL("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0").openblas_set_num_threads(threads)
    return mkl, openblas


def sgemm(library, transa, transb, m, n, k, a, b, c):
    lda = m if transa == b"N" else k
    ldb = k if transb == b"N" else n
    one, zero = ctypes.c_float(1), ctypes.c_float(0)
    integer = lambda value: ctypes.byref(ctypes.c_int(value))
    library.sgemm_(ctypes.c_char_p(transa), ctypes.c_char_p(transb), integer(m), integer(n), integer(k), ctypes.byref(one),
                   a.ctypes.data_as(ctypes.c_void_p), integer(lda), b.ctypes.data_as(ctypes.c_void_p), integer(ldb), ctypes.byref(zero),
                   c.ctypes.data_as(ctypes.c_void_p), integer(m))


def child(switched, threads, repeats):
    mkl, openblas = load(switched, threads)
    generator = np.random.default_rng(0)
    result = []
    for name, transa, transb, m, n, k in SHAPES:
        a = generator.standard_normal(m * k, dtype=np.float32)
        b = generator.standard_normal(k * n, dtype=np.float32)
        c = np.zeros(m * n, np.float32)
        best = {"mkl": float("inf"), "openblas": float("inf")}
        for library in (mkl, openblas):   # warm-up: MKL picks its kernels at its first call
            for _ in range(3):
                sgemm(library, transa, transb, m, n, k, a, b, c)
        for _ in range(repeats):
            for key, library in (("mkl", mkl), ("openblas", openblas)):
                start = time.perf_counter()
                for _ in range(20):
                    sgemm(library, transa, transb, m, n, k, a, b, c)
                best[key] = min(best[key], (time.perf_counter() - start) / 20)
        result.append({"name": name, "flops": 2 * m * n * k, **best})
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--child", choices=["default", "switched"])
    args = parser.parse_args()
    if args.child:
        return child(args.child == "switched", args.threads, args.repeats)
    runs = {}
    for mode in ("default", "switched"):
        output = subprocess.run([sys.executable, __file__, "--child", mode, "--threads", str(args.threads), "--repeats", str(args.repeats)],
                                check=True, capture_output=True, text=True).stdout
        runs[mode] = json.loads(output)
    print(f"| `sgemm_`, {args.threads} thread(s), best of {args.repeats} x 20 calls | MKL (libtorch), default | MKL, switched | OpenBLAS |")
    print("|---|---|---|---|")
    totals = [0.0, 0.0, 0.0]
    for default, switched in zip(runs["default"], runs["switched"]):
        openblas = min(default["openblas"], switched["openblas"])
        values = (default["mkl"], switched["mkl"], openblas)
        totals = [t + v for t, v in zip(totals, values)]
        cells = " | ".join(f"{v * 1000:.2f} ms ({default['flops'] / v / 1e9:.0f} GFLOP/s)" for v in values)
        print(f"| {default['name']} | {cells} |")
    print(f"| all six | {' | '.join(f'{t * 1000:.2f} ms' for t in totals)} |")


if __name__ == "__main__":
    sys.exit(main())
