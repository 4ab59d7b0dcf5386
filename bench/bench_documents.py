"""Benchmark: a one-page rectification order with five items (reports/ only, no database).

Prints: warm median (target < 250 ms), first document in a fresh process (< 2 s), a batch of 200 over
both cores (>= 8 docs/s), the PDF size (< 300 KB), and the same document rendered with WeasyPrint's
fontTools fallback (no libharfbuzz-subset) as a ratio to the warm median.

    .venv/bin/python bench/bench_documents.py [--batch 200] [--warm 15] [--no-fallback]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def order_context():
    from reports import contexts

    header = contexts.Header(
        kind="rectification_order", title="责令限期整改指令书", number="（甲）应急责改〔2026〕17号",
        issuer_name="甲县应急管理局", issued_on=date(2026, 11, 22),
        verify_url="https://shuangkong.example.cn/verify/q0bZkq4v5V7m6Ai2sGmXoEw1", template_version="2024.1",
        rights_notice=("如果不服本指令，可以依法在60日内向甲县人民政府申请行政复议，或者在6个月内依法向甲县人民法院"
                       "提起行政诉讼，但本指令不停止执行，法律另有规定的除外。"),
        copies_note="本文书一式两份：一份由甲县应急管理局备案，一份交被检查单位。")
    problems = ["液氯储罐区可燃气体报警器未定期检定", "二号车间配电柜前堆放杂物，未保持安全通道畅通",
                "动火作业票未经审批即开始作业", "危险化学品仓库未设置防爆型照明灯具", "特种作业人员未持证上岗"]
    body = contexts.parse("rectification_order", {
        "officers": [{"name": "张执法", "certificate_no": "36000001"}, {"name": "李执法", "certificate_no": "36000002"}],
        "subject_unit": "甲化工有限公司", "inspection_date": "2026-11-20", "major_hazard_count": 1,
        "items": [{"text": text, "deadline": f"2026-12-{10 + i % 2 * 5}", "hazard_code": f"YH-2026-00{i + 11}"}
                  for i, text in enumerate(problems)]})
    return {"doc": header, "c": body}


def render_once() -> bytes:
    from reports.render import render_pdf

    return render_pdf("rectification_order.html", order_context())


def _batch_worker(n: int) -> int:
    return sum(len(render_once()) > 0 for _ in range(n))


FRESH = """
import time, sys; t0 = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
{patch}
import bench_documents as b
pdf = b.render_once()
print(time.perf_counter() - t0, len(pdf))
"""
NO_HARFBUZZ = """
import weasyprint.text.ffi as ffi, weasyprint.pdf.fonts as fonts
ffi.harfbuzz_subset = None; fonts.harfbuzz_subset = None   # what a host without libharfbuzz-subset0 sees
"""


def fresh_process(patch: str = "") -> tuple[float, float, int]:
    """(wall time of the whole process, time inside it from start to PDF, size)."""
    code = FRESH.format(root=str(ROOT), bench=str(ROOT / "bench"), patch=patch)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    inside, size = out.stdout.split()
    return wall, float(inside), int(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=15)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--no-fallback", action="store_true")
    args = parser.parse_args()

    from reports.render import harfbuzz_subsetter_available

    print(f"HarfBuzz subsetter available: {harfbuzz_subsetter_available()}; cores: {os.cpu_count()}")

    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, inside, size = fresh_process()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"first document, fresh process: {wall:.2f} s wall ({inside:.2f} s from interpreter start to PDF; "
          f"{child_cpu:.2f} s CPU)"
          f"   target < 2 s  {'OK' if wall < 2 else 'MISSED'}")

    render_once()  # warm-up
    times, cpu = [], []
    for _ in range(args.warm):
        t0, c0 = time.perf_counter(), time.process_time()
        pdf = render_once()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    median = statistics.median(times)
    print(f"warm median over {args.warm}: {median * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f}; CPU time median {statistics.median(cpu) * 1000:.0f} ms)"
          f"   target < 250 ms  {'OK' if median < 0.25 else 'MISSED'}")
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"PDF size: {len(pdf) / 1024:.0f} KB, {pages} page(s)   target < 300 KB, 1 page  "
          f"{'OK' if len(pdf) < 300 * 1024 and pages == 1 else 'MISSED'}")

    # Baseline in the same process: the system Noto CJK collections instead of the GB2312 cut.
    from reports import fonts

    if fonts.available():
        saved = os.environ.get("SHUANGKONG_FONT_CACHE")
        os.environ["SHUANGKONG_FONT_CACHE"] = "/nonexistent"
        render_once()
        base = []
        for _ in range(max(args.warm // 2, 3)):
            t0 = time.perf_counter()
            base_pdf = render_once()
            base.append(time.perf_counter() - t0)
        if saved is None:
            del os.environ["SHUANGKONG_FONT_CACHE"]
        else:
            os.environ["SHUANGKONG_FONT_CACHE"] = saved
        base_median = statistics.median(base)
        print(f"baseline, system fonts (no GB2312 cut): {base_median * 1000:.0f} ms, {len(base_pdf) / 1024:.0f} KB"
              f" -> the cut fonts take {median / base_median:.2f}x the time and {len(pdf) / len(base_pdf):.2f}x the size")
    else:
        print("GB2312 print fonts not built (make fonts): measured with the system fonts")

    procs = 2
    chunks = [args.batch // procs + (1 if i < args.batch % procs else 0) for i in range(procs)]
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        done = sum(pool.map(_batch_worker, chunks))
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    batch_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    rate = done / elapsed
    print(f"batch of {done} over {procs} processes: {elapsed:.1f} s, {rate:.1f} docs/s (incl. process start); "
          f"{batch_cpu / done * 1000:.0f} ms CPU per document -> {procs / (batch_cpu / done):.1f} docs/s on "
          f"{procs} idle cores"
          f"   target >= 8 docs/s  {'OK' if rate >= 8 else 'MISSED'}")

    if not args.no_fallback:
        wall_fb, inside_fb, size_fb = fresh_process(NO_HARFBUZZ)
        # Subtract the same process's start-up cost measured above to compare rendering with rendering.
        render_fb = inside_fb - (inside - median)
        print(f"fontTools fallback (no libharfbuzz-subset): {render_fb:.2f} s per document, {size_fb / 1024:.0f} KB"
              f" -> {render_fb / median:.0f}x the HarfBuzz median")


if __name__ == "__main__":
    main()
