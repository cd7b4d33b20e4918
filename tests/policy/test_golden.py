"""Golden cases worked by hand from the documents' numbers (and the packs' marked assumptions).

Each case: pack, category, claims of one person (visit, level, class, disease, date, total,
in-policy, in yuan) and the expected split per claim: basic, critical, assistance, fallback,
self-pay, in yuan. The arithmetic is in the comment; every case runs on both paths.

Pack figures used (see `fupin policy show PACK`; * = assumed, not in the documents):
- jining-2016: inpatient deductible 200/500/1000, ratio 80/70/55%, cap 20万*; poor 100/300/500,
  90/80/65% (000). Chronic deductible 500/year, A 70%, B 60%; poor 200, 80%, 70% (000).
  大病 threshold 1.2万*, bands ≤10万 50%*, ≤20万 60%*, above 70%*, cap 30万 (000);
  poor: below the threshold 50%, each band +5%, cap 50万 (000).
- jining-2020: as 2016, poor 大病 threshold 0 and no cap (001).
- qingcheng-2018: inpatient 300/600/1000*, 85/75/60%*, cap 20万*; chronic T 0*, 65%*, cap 5万*;
  大病 1.5万*, ≤10万 60%*, above 70%*, cap 30万*; poor threshold −50%*, +5%*, no cap (002).
- jilin-2017: inpatient 200/400/800*, 85/75/65%*, cap 15万*; chronic M 300/year*, 60%*, cap 1万*;
  大病 1万*, ≤5万 55%*, ≤10万 60%*, above 65%*, cap 30万*; poor/低保/特困 threshold −40%,
  bands +5% (003); assistance* poor 50% cap 2万, 低保 60% cap 2万, 特困 80% cap 3万.
- fuliang-2018: inpatient 100/400/800*, 85/75/60%*, cap 15万*; poor/低保/特困 no deductible at
  levels 1–2 (004). 15 major diseases (poor) at levels 2/3: basic insurance pays 80%/70% of the
  total instead of deductible and ratio (004). Chronic I/II no deductible*, general 80/70/50%*, caps 1.5万/3000 (004);
  poor 90/80/60%, caps 10万/5000, I above 6万 paid by the 大病 insurer (004). 大病 1万*,
  ≤5万 50%*, ≤10万 60%*, above 70%*, cap 30万*; poor/低保/特困 threshold −50% (004).
  Fifth line: poor/低保/特困 inpatient self-pay ≤ 10% of the total (004).
"""

from __future__ import annotations

from datetime import date

import pytest

from fupin.policy import load_pack, settle_claims, settle_frame
from fupin.policy.batch import PARTS
from fupin.policy.claims import Claim, to_frame
from fupin.policy.params import fen_to_yuan, yuan_to_fen

IP, CH = "inpatient", "chronic_outpatient"

CASES = [
    # ---------------- jining-2016 ----------------
    (
        "J16-01 general level 1",
        "jining-2016",
        "general",
        [(IP, 1, None, None, "2016-03-01", "10000", "10000")],
        # basic (10000 − 200) × 80% = 7840; 大病 self-pay 2160 < 12000 → 0; self 2160
        [("7840.00", "0.00", "0.00", "0.00", "2160.00")],
    ),
    (
        "J16-02 poor level 1",
        "jining-2016",
        "poor",
        [(IP, 1, None, None, "2016-03-01", "10000", "10000")],
        # basic (10000 − 100) × 90% = 8910; 大病 1090 below threshold × 50% = 545; self 545
        [("8910.00", "545.00", "0.00", "0.00", "545.00")],
    ),
    (
        "J16-03 general level 3 with out-of-policy",
        "jining-2016",
        "general",
        [(IP, 3, None, None, "2016-03-01", "60000", "50000")],
        # basic (50000 − 1000) × 55% = 26950; 大病 (23050 − 12000) × 50% = 5525;
        # self 60000 − 26950 − 5525 = 27525 (10000 out of policy included)
        [("26950.00", "5525.00", "0.00", "0.00", "27525.00")],
    ),
    (
        "J16-04 poor level 3",
        "jining-2016",
        "poor",
        [(IP, 3, None, None, "2016-03-01", "60000", "50000")],
        # basic (50000 − 500) × 65% = 32175; 大病 on 17825: 12000 × 50% = 6000, 5825 × 55% = 3203.75
        # → 9203.75; self 60000 − 32175 − 9203.75 = 18621.25
        [("32175.00", "9203.75", "0.00", "0.00", "18621.25")],
    ),
    (
        "J16-05 general chronic A, yearly deductible",
        "jining-2016",
        "general",
        [
            (CH, 2, "A", None, "2016-02-01", "300", "300"),
            (CH, 2, "A", None, "2016-03-01", "600", "600"),
        ],
        # 1st: 300 within the 500 deductible → 0; 2nd: year-to-date 900, (900 − 500) × 70% = 280
        [("0.00", "0.00", "0.00", "0.00", "300.00"), ("280.00", "0.00", "0.00", "0.00", "320.00")],
    ),
    (
        "J16-06 poor chronic B",
        "jining-2016",
        "poor",
        [(CH, 1, "B", None, "2016-02-01", "1000", "1000")],
        # (1000 − 200) × 70% = 560; 大病 440 × 50% = 220; self 220
        [("560.00", "220.00", "0.00", "0.00", "220.00")],
    ),
    (
        "J16-07 poor 60万 stay: basic cap, all bands",
        "jining-2016",
        "poor",
        [(IP, 2, None, None, "2016-05-01", "600000", "600000")],
        # basic (600000 − 300) × 80% = 479760 → cap 200000; 大病 on 400000:
        # 12000 × 50% = 6000; 88000 × 55% = 48400; 100000 × 65% = 65000; 200000 × 75% = 150000
        # → 269400 (< cap 500000); self 600000 − 200000 − 269400 = 130600
        [("200000.00", "269400.00", "0.00", "0.00", "130600.00")],
    ),
    (
        "J16-08 general 60万 stay",
        "jining-2016",
        "general",
        [(IP, 2, None, None, "2016-05-01", "600000", "600000")],
        # basic → cap 200000; 大病 on 400000: 88000 × 50% = 44000; 100000 × 60% = 60000;
        # 200000 × 70% = 140000 → 244000; self 156000
        [("200000.00", "244000.00", "0.00", "0.00", "156000.00")],
    ),
    (
        "J16-09 general 100万: 大病 cap 30万",
        "jining-2016",
        "general",
        [(IP, 2, None, None, "2016-05-01", "1000000", "1000000")],
        # 大病 on 800000: 44000 + 60000 + 600000 × 70% = 524000 → cap 300000; self 500000
        [("200000.00", "300000.00", "0.00", "0.00", "500000.00")],
    ),
    (
        "J16-10 poor 100万: 大病 cap 50万",
        "jining-2016",
        "poor",
        [(IP, 2, None, None, "2016-05-01", "1000000", "1000000")],
        # 大病 6000 + 48400 + 65000 + 600000 × 75% = 569400 → cap 500000; self 300000
        [("200000.00", "500000.00", "0.00", "0.00", "300000.00")],
    ),
    (
        "J16-11 大病 accumulates within a year, restarts next year",
        "jining-2016",
        "general",
        [
            (IP, 1, None, None, "2016-04-01", "50000", "50000"),
            (IP, 1, None, None, "2016-09-01", "50000", "50000"),
            (IP, 1, None, None, "2017-01-05", "50000", "50000"),
        ],
        # each: basic (50000 − 200) × 80% = 39840, self-pay in policy 10160;
        # 2016: 10160 (< 12000) → 0, then 20320 → (20320 − 12000) × 50% = 4160; 2017 restarts → 0
        [
            ("39840.00", "0.00", "0.00", "0.00", "10160.00"),
            ("39840.00", "4160.00", "0.00", "0.00", "6000.00"),
            ("39840.00", "0.00", "0.00", "0.00", "10160.00"),
        ],
    ),
    (
        "J16-12 half a fen rounds up",
        "jining-2016",
        "general",
        [(IP, 1, None, None, "2016-04-01", "59200.05", "59200.05")],
        # basic 59000.05 × 80% = 47200.04; 大病 on 12000.01: 0.01 × 50% = 0.5 fen → 0.01; self 12000.00
        [("47200.04", "0.01", "0.00", "0.00", "12000.00")],
    ),
    # ---------------- jining-2020 ----------------
    (
        "J20-01 poor level 3: no 大病 threshold",
        "jining-2020",
        "poor",
        [(IP, 3, None, None, "2020-03-01", "60000", "50000")],
        # basic 32175 (as 2016); 大病 from 0: 17825 × 55% = 9803.75; self 60000 − 32175 − 9803.75
        [("32175.00", "9803.75", "0.00", "0.00", "18021.25")],
    ),
    (
        "J20-02 poor 100万: no 大病 cap",
        "jining-2020",
        "poor",
        [(IP, 2, None, None, "2020-05-01", "1000000", "1000000")],
        # basic cap 200000; 大病 on 800000: 100000 × 55% + 100000 × 65% + 600000 × 75% = 570000
        [("200000.00", "570000.00", "0.00", "0.00", "230000.00")],
    ),
    (
        "J20-03 general unchanged",
        "jining-2020",
        "general",
        [(IP, 3, None, None, "2020-03-01", "60000", "50000")],
        [("26950.00", "5525.00", "0.00", "0.00", "27525.00")],
    ),
    (
        "J20-04 poor chronic A",
        "jining-2020",
        "poor",
        [(CH, 1, "A", None, "2020-03-01", "1000", "1000")],
        # (1000 − 200) × 80% = 640; 大病 360 × 55% = 198; self 162
        [("640.00", "198.00", "0.00", "0.00", "162.00")],
    ),
    (
        "J20-05 poor small stay",
        "jining-2020",
        "poor",
        [(IP, 1, None, None, "2020-03-01", "1000", "1000")],
        # (1000 − 100) × 90% = 810; 大病 190 × 55% = 104.50; self 85.50
        [("810.00", "104.50", "0.00", "0.00", "85.50")],
    ),
    (
        "J20-06 低保 has no Jining variant",
        "jining-2020",
        "dibao",
        [(IP, 1, None, None, "2020-03-01", "1000", "1000")],
        # general rules: (1000 − 200) × 80% = 640; 360 < 12000 → 0
        [("640.00", "0.00", "0.00", "0.00", "360.00")],
    ),
    (
        "J20-07 poor chronic B twice",
        "jining-2020",
        "poor",
        [
            (CH, 2, "B", None, "2020-02-01", "400", "400"),
            (CH, 2, "B", None, "2020-03-01", "400", "400"),
        ],
        # 1st: (400 − 200) × 70% = 140, 大病 260 × 55% = 143; 2nd: 400 × 70% = 280, 120 × 55% = 66
        [
            ("140.00", "143.00", "0.00", "0.00", "117.00"),
            ("280.00", "66.00", "0.00", "0.00", "54.00"),
        ],
    ),
    (
        "J20-08 general 100万: cap 30万 stays",
        "jining-2020",
        "general",
        [(IP, 2, None, None, "2020-05-01", "1000000", "1000000")],
        [("200000.00", "300000.00", "0.00", "0.00", "500000.00")],
    ),
    (
        "J20-09 poor with out-of-policy",
        "jining-2020",
        "poor",
        [(IP, 2, None, None, "2020-05-01", "20000", "15000")],
        # (15000 − 300) × 80% = 11760; 大病 3240 × 55% = 1782; self 20000 − 11760 − 1782 = 6458
        [("11760.00", "1782.00", "0.00", "0.00", "6458.00")],
    ),
    (
        "J20-10 rounding 0.65 fen up",
        "jining-2020",
        "poor",
        [(IP, 3, None, None, "2020-05-01", "500.01", "500.01")],
        # basic 0.01 × 65% = 0.65 fen → 0.01; 大病 500.00 × 55% = 275; self 225.00
        [("0.01", "275.00", "0.00", "0.00", "225.00")],
    ),
    # ---------------- qingcheng-2018 (bases assumed) ----------------
    (
        "Q-01 general level 1",
        "qingcheng-2018",
        "general",
        [(IP, 1, None, None, "2018-09-01", "10000", "10000")],
        # (10000 − 300) × 85% = 8245; 1755 < 15000 → 0
        [("8245.00", "0.00", "0.00", "0.00", "1755.00")],
    ),
    (
        "Q-02 poor level 1, below the lowered threshold",
        "qingcheng-2018",
        "poor",
        [(IP, 1, None, None, "2018-09-01", "10000", "10000")],
        # same basic; 1755 < 7500 → 0
        [("8245.00", "0.00", "0.00", "0.00", "1755.00")],
    ),
    (
        "Q-03 general level 3",
        "qingcheng-2018",
        "general",
        [(IP, 3, None, None, "2018-09-01", "100000", "100000")],
        # (100000 − 1000) × 60% = 59400; 大病 (40600 − 15000) × 60% = 15360; self 25240
        [("59400.00", "15360.00", "0.00", "0.00", "25240.00")],
    ),
    (
        "Q-04 poor level 3",
        "qingcheng-2018",
        "poor",
        [(IP, 3, None, None, "2018-09-01", "100000", "100000")],
        # 大病 (40600 − 7500) × 65% = 21515; self 100000 − 59400 − 21515 = 19085
        [("59400.00", "21515.00", "0.00", "0.00", "19085.00")],
    ),
    (
        "Q-05 poor 200万: no cap",
        "qingcheng-2018",
        "poor",
        [(IP, 2, None, None, "2018-09-01", "2000000", "2000000")],
        # basic → cap 200000; 大病 on 1800000: 92500 × 65% = 60125; 1700000 × 75% = 1275000
        # → 1335125; self 2000000 − 200000 − 1335125 = 464875
        [("200000.00", "1335125.00", "0.00", "0.00", "464875.00")],
    ),
    (
        "Q-06 general 200万: cap 30万",
        "qingcheng-2018",
        "general",
        [(IP, 2, None, None, "2018-09-01", "2000000", "2000000")],
        # 大病 85000 × 60% + 1700000 × 70% = 1241000 → cap 300000; self 1500000
        [("200000.00", "300000.00", "0.00", "0.00", "1500000.00")],
    ),
    (
        "Q-07 chronic T",
        "qingcheng-2018",
        "general",
        [(CH, 2, "T", None, "2018-09-01", "2000", "2000")],
        # 2000 × 65% = 1300; 700 < 15000
        [("1300.00", "0.00", "0.00", "0.00", "700.00")],
    ),
    (
        "Q-08 chronic T cap 5万",
        "qingcheng-2018",
        "general",
        [(CH, 2, "T", None, "2018-09-01", "100000", "100000")],
        # 100000 × 65% = 65000 → cap 50000; 大病 (50000 − 15000) × 60% = 21000; self 29000
        [("50000.00", "21000.00", "0.00", "0.00", "29000.00")],
    ),
    (
        "Q-09 特困 has no Qingcheng variant",
        "qingcheng-2018",
        "tekun",
        [(IP, 2, None, None, "2018-09-01", "10000", "10000")],
        # (10000 − 600) × 75% = 7050; 2950 < 15000
        [("7050.00", "0.00", "0.00", "0.00", "2950.00")],
    ),
    (
        "Q-10 poor: 大病 year restarts on 1 January",
        "qingcheng-2018",
        "poor",
        [
            (IP, 1, None, None, "2018-12-31", "50000", "50000"),
            (IP, 1, None, None, "2019-01-02", "50000", "50000"),
        ],
        # each: basic (50000 − 300) × 85% = 42245, in-policy self-pay 7755; each year alone:
        # (7755 − 7500) × 65% = 165.75
        [
            ("42245.00", "165.75", "0.00", "0.00", "7589.25"),
            ("42245.00", "165.75", "0.00", "0.00", "7589.25"),
        ],
    ),
    # ---------------- jilin-2017 (bases and assistance assumed) ----------------
    (
        "JL-01 general level 1",
        "jilin-2017",
        "general",
        [(IP, 1, None, None, "2017-10-01", "10000", "10000")],
        # (10000 − 200) × 85% = 8330; 1670 < 10000; no assistance for general
        [("8330.00", "0.00", "0.00", "0.00", "1670.00")],
    ),
    (
        "JL-02 poor: assistance 50%",
        "jilin-2017",
        "poor",
        [(IP, 1, None, None, "2017-10-01", "10000", "10000")],
        # basic 8330; 1670 < 6000 (threshold −40%); assistance 1670 × 50% = 835
        [("8330.00", "0.00", "835.00", "0.00", "835.00")],
    ),
    (
        "JL-03 特困 level 3",
        "jilin-2017",
        "tekun",
        [(IP, 3, None, None, "2017-10-01", "50000", "50000")],
        # basic (50000 − 800) × 65% = 31980; 大病 (18020 − 6000) × (55% + 5%) = 7212;
        # assistance (18020 − 7212) × 80% = 8646.40; self 2161.60
        [("31980.00", "7212.00", "8646.40", "0.00", "2161.60")],
    ),
    (
        "JL-04 低保 level 3",
        "jilin-2017",
        "dibao",
        [(IP, 3, None, None, "2017-10-01", "50000", "50000")],
        # assistance 10808 × 60% = 6484.80; self 50000 − 31980 − 7212 − 6484.80 = 4323.20
        [("31980.00", "7212.00", "6484.80", "0.00", "4323.20")],
    ),
    (
        "JL-05 general level 3",
        "jilin-2017",
        "general",
        [(IP, 3, None, None, "2017-10-01", "50000", "50000")],
        # 大病 (18020 − 10000) × 55% = 4411; self 13609
        [("31980.00", "4411.00", "0.00", "0.00", "13609.00")],
    ),
    (
        "JL-06 poor: basic and assistance caps over two stays",
        "jilin-2017",
        "poor",
        [
            (IP, 2, None, None, "2017-10-01", "200000", "200000"),
            (IP, 2, None, None, "2017-11-01", "200000", "200000"),
        ],
        # 1st: basic (200000 − 400) × 75% = 149700; 大病 on 50300: 44000 × 60% = 26400,
        #   300 × 65% = 195 → 26595; assistance (50300 − 26595) × 50% = 11852.50; self 11852.50
        # 2nd: basic cap 150000 leaves 300; 大病 year-to-date 50300 → 250000:
        #   49700 × 65% = 32305, 150000 × 70% = 105000 → 137305;
        #   assistance (200000 − 300 − 137305) × 50% = 31197.50 → cap 20000 leaves 8147.50;
        #   self 200000 − 300 − 137305 − 8147.50 = 54247.50
        [
            ("149700.00", "26595.00", "11852.50", "0.00", "11852.50"),
            ("300.00", "137305.00", "8147.50", "0.00", "54247.50"),
        ],
    ),
    (
        "JL-07 chronic M yearly deductible",
        "jilin-2017",
        "general",
        [
            (CH, 1, "M", None, "2017-10-01", "200", "200"),
            (CH, 1, "M", None, "2017-11-01", "500", "500"),
        ],
        # 1st within the 300 deductible; 2nd (700 − 300) × 60% = 240
        [("0.00", "0.00", "0.00", "0.00", "200.00"), ("240.00", "0.00", "0.00", "0.00", "260.00")],
    ),
    (
        "JL-08 特困 chronic cap 1万",
        "jilin-2017",
        "tekun",
        [(CH, 1, "M", None, "2017-10-01", "30000", "30000")],
        # (30000 − 300) × 60% = 17820 → cap 10000; 大病 (20000 − 6000) × 60% = 8400;
        # assistance 11600 × 80% = 9280; self 2320
        [("10000.00", "8400.00", "9280.00", "0.00", "2320.00")],
    ),
    (
        "JL-09 out-of-policy stays with the person",
        "jilin-2017",
        "poor",
        [(IP, 1, None, None, "2017-10-01", "12000", "10000")],
        # as JL-02, plus 2000 out of policy: self 835 + 2000
        [("8330.00", "0.00", "835.00", "0.00", "2835.00")],
    ),
    (
        "JL-10 assistance rounds half up",
        "jilin-2017",
        "poor",
        [(IP, 1, None, None, "2017-10-01", "201", "201")],
        # basic 1 × 85% = 0.85; assistance 200.15 × 50% = 100.075 → 100.08; self 100.07
        [("0.85", "0.00", "100.08", "0.00", "100.07")],
    ),
    # ---------------- fuliang-2018 ----------------
    (
        "F-01 poor lung cancer level 2",
        "fuliang-2018",
        "poor",
        [(IP, 2, None, "C34.1", "2018-03-01", "50000", "40000")],
        # fixed quota: basic insurance pays the total × 80% = 40000 (004: 其费用城乡居民医保按80%
        # 和70%比例补偿); 大病 self-pay in policy max(40000 − 40000, 0) = 0; fifth line: self-pay
        # 10000 above 50000 × 10% = 5000 → fallback 5000; self 5000
        [("40000.00", "0.00", "0.00", "5000.00", "5000.00")],
    ),
    (
        "F-02 general, same stay",
        "fuliang-2018",
        "general",
        [(IP, 2, None, "C34.1", "2018-03-01", "50000", "40000")],
        # basic (40000 − 400) × 75% = 29700; 大病 (10300 − 10000) × 50% = 150; self 20150
        [("29700.00", "150.00", "0.00", "0.00", "20150.00")],
    ),
    (
        "F-03 poor level 3: fifth line",
        "fuliang-2018",
        "poor",
        [(IP, 3, None, None, "2018-03-01", "100000", "90000")],
        # basic (90000 − 800) × 60% = 53520; 大病 (36480 − 5000) × 50% = 15740;
        # self 30740 → fifth line to 10% of 100000: fallback 20740
        [("53520.00", "15740.00", "0.00", "20740.00", "10000.00")],
    ),
    (
        "F-04 低保 lung cancer: the fixed quota too (低保 read as 建档立卡, as for the fifth line)",
        "fuliang-2018",
        "dibao",
        [(IP, 2, None, "C34", "2018-03-01", "50000", "40000")],
        # 004 names 特困、低保 among the 建档立卡 poor (the pack's reading, cited there): the quota
        # applies as in F-01 — basic 50000 × 80% = 40000; 大病 self-pay in policy
        # max(40000 − 40000, 0) = 0; fifth line: self 10000 → 10% of 50000 = 5000, fallback 5000
        [("40000.00", "0.00", "0.00", "5000.00", "5000.00")],
    ),
    (
        "F-05 低保 level 1: no deductible, fifth line",
        "fuliang-2018",
        "dibao",
        [(IP, 1, None, None, "2018-03-01", "10000", "8000")],
        # 8000 × 85% = 6800; 1200 < 5000; self 3200 → limit 1000: fallback 2200
        [("6800.00", "0.00", "0.00", "2200.00", "1000.00")],
    ),
    (
        "F-06 general level 1",
        "fuliang-2018",
        "general",
        [(IP, 1, None, None, "2018-03-01", "10000", "8000")],
        # (8000 − 100) × 85% = 6715; 1285 < 10000; self 3285
        [("6715.00", "0.00", "0.00", "0.00", "3285.00")],
    ),
    (
        "F-07 poor chronic I",
        "fuliang-2018",
        "poor",
        [(CH, 1, "I", None, "2018-04-01", "80000", "70000")],
        # 70000 × 90% = 63000: 60000 basic + 3000 above 6万 by the 大病 insurer;
        # 大病 (7000 − 5000) × 50% = 1000 → critical 4000; self 80000 − 60000 − 4000 = 16000
        [("60000.00", "4000.00", "0.00", "0.00", "16000.00")],
    ),
    (
        "F-08 poor chronic I cap 10万",
        "fuliang-2018",
        "poor",
        [(CH, 1, "I", None, "2018-04-01", "150000", "150000")],
        # 150000 × 90% = 135000 → cap 100000: 60000 basic + 40000 by the 大病 insurer;
        # 大病 (50000 − 5000) × 50% = 22500 → critical 62500; self 27500
        [("60000.00", "62500.00", "0.00", "0.00", "27500.00")],
    ),
    (
        "F-09 general chronic I cap 1.5万",
        "fuliang-2018",
        "general",
        [(CH, 1, "I", None, "2018-04-01", "30000", "30000")],
        # 30000 × 80% = 24000 → cap 15000; 大病 (15000 − 10000) × 50% = 2500; self 12500
        [("15000.00", "2500.00", "0.00", "0.00", "12500.00")],
    ),
    (
        "F-10 poor chronic II cap 5000 over two claims",
        "fuliang-2018",
        "poor",
        [
            (CH, 2, "II", None, "2018-04-01", "4000", "4000"),
            (CH, 2, "II", None, "2018-05-01", "4000", "4000"),
        ],
        # 1st 4000 × 80% = 3200; 2nd 3200 but only 1800 left under 5000; 大病 total 3000 < 5000
        [
            ("3200.00", "0.00", "0.00", "0.00", "800.00"),
            ("1800.00", "0.00", "0.00", "0.00", "2200.00"),
        ],
    ),
    (
        "F-11 特困 level 3",
        "fuliang-2018",
        "tekun",
        [(IP, 3, None, None, "2018-03-01", "20000", "20000")],
        # (20000 − 800) × 60% = 11520; 大病 (8480 − 5000) × 50% = 1740; self 6740 → limit 2000
        [("11520.00", "1740.00", "0.00", "4740.00", "2000.00")],
    ),
    (
        "F-12 fifth line floors 10% to the fen",
        "fuliang-2018",
        "poor",
        [(IP, 1, None, None, "2018-03-01", "100.05", "0")],
        # all out of policy; limit ⌊10005 fen × 10%⌋ = 1000 fen = 10.00; fallback 90.05
        [("0.00", "0.00", "0.00", "90.05", "10.00")],
    ),
    (
        "F-13 poor cerebral infarction level 3, large out-of-policy",
        "fuliang-2018",
        "poor",
        [(IP, 3, None, "I63.9", "2018-03-01", "100000", "50000")],
        # fixed quota at level 3: basic pays 100000 × 70% = 70000 (more than the 50000 in policy:
        # the quota is of the whole stay); 大病 max(50000 − 70000, 0) = 0; self-pay 30000 → the
        # fifth line keeps 10% of 100000 = 10000: fallback 20000
        [("70000.00", "0.00", "0.00", "20000.00", "10000.00")],
    ),
    (
        "F-14 major disease at level 1 is not fixed-quota",
        "fuliang-2018",
        "poor",
        [(IP, 1, None, "C16", "2018-03-01", "10000", "10000")],
        # 10000 × 85% = 8500; 1500 < 5000; no quota at level 1; fifth line 1500 → 1000
        [("8500.00", "0.00", "0.00", "500.00", "1000.00")],
    ),
]


def _claims(category, rows):
    return [
        Claim(
            claim_id=f"G{i:02d}",
            person_id="P",
            category=category,
            visit_type=visit,
            hospital_level=level,
            chronic_class=cls,
            disease_code=disease,
            admission_date=date.fromisoformat(day),
            total_cost=yuan_to_fen(total),
            in_policy_cost=yuan_to_fen(in_policy),
        )
        for i, (visit, level, cls, disease, day, total, in_policy) in enumerate(rows)
    ]


@pytest.mark.parametrize(
    ("name", "pack_id", "category", "rows", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_golden(name, pack_id, category, rows, expected):
    pack = load_pack(pack_id)
    claims = _claims(category, rows)
    scalar = [
        tuple(fen_to_yuan(v) for v in s.parts().values()) for s in settle_claims(pack, claims)
    ]
    assert scalar == expected
    batch = settle_frame(pack, to_frame(claims))
    assert [
        tuple(fen_to_yuan(r[p]) for p in PARTS) for r in batch.iter_rows(named=True)
    ] == expected


def test_at_least_ten_cases_per_pack():
    from collections import Counter

    counts = Counter(c[1] for c in CASES)
    assert all(
        counts[p] >= 10
        for p in ("jining-2016", "jining-2020", "qingcheng-2018", "jilin-2017", "fuliang-2018")
    )


def test_trail_cites_the_sentence_and_the_numbers():
    pack = load_pack("fuliang-2018")
    (s,) = settle_claims(
        pack, _claims("poor", [(IP, 3, None, "I63.9", "2018-03-01", "100000", "50000")])
    )
    text = s.explain()
    assert "脑梗死（I63）在三级医院，城乡居民医保按总费用的 70% 补偿" in text
    assert "100000.00 元 × 70% = 70000.00 元" in text
    assert "起付标准 10000.00 元 × (1 − 50%) = 5000.00 元" in text
    assert "大病保险报销起付线降低50%" in text
    assert "其费用城乡居民医保按80%和70%比例补偿" in text
    assert "【示意值，非文件规定，仅供工作人员测算】" in text  # assumed figures marked for staff
    assert (
        "（浮人社发[2018]6号）：“" in text and ".txt" not in text
    )  # documents by title and number
    assert text.rstrip().endswith("合计 100000.00 元")
