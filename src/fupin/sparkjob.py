"""The driver program for spark-submit (no Django): the comparison and the batch settlement on a cluster.

    spark-submit [--master yarn|k8s://…] … fupin_job.py compare --registry URI --enrolment URI --out URI \
        --policy fuliang-2018 [--as-of 2020-06-30] [--format parquet|csv]
    spark-submit … fupin_job.py settle --policy jining --claims URI --out URI [--partitions N]

(fupin_job.py is this file, copied out of the installed package; see the README, "在 Spark 上运行".)
The session is the one spark-submit configures (master, executors, memory). Bad input: the Chinese
message on stderr and exit status 2, as `fupin compare` / `fupin settle`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="fupin_job.py", description="fupin 在 Spark 上：信息比对与批量结算"
    )
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="建档立卡与参保数据比对")
    c.add_argument("--registry", required=True)
    c.add_argument("--enrolment", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--policy", required=True, help="政策包编号（取 enrolment.pension_min_age）")
    c.add_argument("--as-of", help="比对基准日 YYYY-MM-DD（默认今天）")
    c.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    c.add_argument("--work", help="中间表目录（默认 --out 下的 _work，比对结束后删除）")
    s = sub.add_parser("settle", help="按人员分区批量结算")
    s.add_argument("--policy", required=True)
    s.add_argument("--claims", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--partitions", type=int)
    s.add_argument("--work", help="暂存目录（默认 --out 旁的临时目录）")
    opts = ap.parse_args(argv)

    from fupin.exchange.comparison.spark import session

    spark = session()  # spark-submit's; the application ends when this program does
    if opts.command == "compare":
        from fupin.exchange.comparison import BadInput, Settings
        from fupin.exchange.comparison.spark import SparkEngine, compare_spark
        from fupin.policy.packs import PackError

        try:
            day = dt.date.fromisoformat(opts.as_of) if opts.as_of else dt.date.today()
            rules = Settings.from_pack(opts.policy, as_of=day)
            work = opts.work or f"{opts.out.rstrip('/')}/_work"
            engine = SparkEngine(spark, work=work)
            try:
                summary = compare_spark(
                    opts.registry,
                    opts.enrolment,
                    opts.out,
                    rules,
                    lambda step, total, label: print(f"[{step}/{total}] {label}", file=sys.stderr),
                    engine=engine,
                    fmt=opts.format,
                )
            finally:
                engine.close()
        except ValueError as exc:  # BadInput, a bad --as-of
            print(str(exc) if isinstance(exc, BadInput) else f"--as-of：{exc}", file=sys.stderr)
            return 2
        except PackError as exc:
            print(f"政策包错误：{exc}", file=sys.stderr)
            return 2
        print(json.dumps(summary, ensure_ascii=False))
    else:
        from fupin.policy.claims import ClaimsError
        from fupin.policy.packs import PackError
        from fupin.policy.spark import settle_spark

        try:
            report = settle_spark(
                spark,
                opts.policy,
                opts.claims,
                opts.out,
                partitions=opts.partitions,
                work=opts.work,
            )
        except (ClaimsError, PackError) as exc:
            print(f"无法结算：\n{exc}", file=sys.stderr)
            return 2
        print(report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
