"""Writes the templated documents of the retrieval corpus into `generated/`: the monthly bills and
payslips a household keeps, which differ mainly in their figures and dates (the near-duplicates a
search must tell apart). Everything else in the corpus is written by hand in `docs/`.

Run it again after changing a table below: `python tests/knowledge/corpus/generate.py`. The output
is committed, so the test reads plain files and does not depend on this script.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).parent / "generated"
VAT = 0.05


@dataclass(frozen=True)
class Doc:
    id: str
    type: str
    category: str
    title: str
    updated: date
    body: str

    def markdown(self) -> str:
        head = f"---\nid: {self.id}\ntype: {self.type}\ncategory: {self.category}\ntitle: {self.title}\n"
        return f"{head}updated: {self.updated.isoformat()}\n---\n{self.body.strip()}\n"


def month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def pounds(amount: float) -> str:
    return f"£{amount:,.2f}"


# --- energy: Brightwave electricity and gas, April 2023 to March 2024 -----------------------------

# (year, month, kWh used, unit rate p/kWh, standing charge p/day) — rates follow the price cap
ELECTRICITY = [
    (2023, 4, 262, 33.20, 52.37),
    (2023, 5, 241, 33.20, 52.37),
    (2023, 6, 218, 33.20, 52.37),
    (2023, 7, 226, 30.11, 52.97),
    (2023, 8, 198, 30.11, 52.97),
    (2023, 9, 231, 30.11, 52.97),
    (2023, 10, 287, 27.35, 53.37),
    (2023, 11, 318, 27.35, 53.37),
    (2023, 12, 352, 27.35, 53.37),
    (2024, 1, 341, 28.62, 53.35),
    (2024, 2, 309, 28.62, 53.35),
    (2024, 3, 296, 28.62, 53.35),
]
GAS = [
    (2023, 4, 1020, 10.31, 29.11),
    (2023, 5, 610, 10.31, 29.11),
    (2023, 6, 330, 10.31, 29.11),
    (2023, 7, 290, 7.51, 29.62),
    (2023, 8, 270, 7.51, 29.62),
    (2023, 9, 420, 7.51, 29.62),
    (2023, 10, 860, 6.89, 29.62),
    (2023, 11, 1480, 6.89, 29.62),
    (2023, 12, 1910, 6.89, 29.62),
    (2024, 1, 2040, 7.42, 29.60),
    (2024, 2, 1650, 7.42, 29.60),
    (2024, 3, 1290, 7.42, 29.60),
]
ENERGY_NOTES = {
    (2023, 8): "We were away for a week in Cornwall this month, so usage was lower.",
    (2023, 12): "Higher than usual: Christmas lights, guests and the tumble dryer in the wet weeks.",
    (2024, 1): "The coldest month of the winter; the Hive ran boost most evenings.",
    (2023, 4): "Energy Bills Support Scheme payments have now ended.",
}


def energy_bill(fuel: str, account: str, row: tuple[int, int, int, float, float], reading: int, n: int) -> Doc:
    year, month, used, rate, standing = row
    days = calendar.monthrange(year, month)[1]
    energy, standing_total = used * rate / 100, days * standing / 100
    subtotal = energy + standing_total
    total = subtotal * (1 + VAT)
    issued = month_end(year, month) + timedelta(days=5)
    unit = "kWh" if fuel == "electricity" else "kWh (converted from m³)"
    lines = [
        f"Brightwave Energy — your {fuel} statement for {month_name(year, month)}",
        f"Customer: Claire Brennan, 14 Larkspur Road, Ashby Green AG4 7PL. Account number: {account}.",
        f"Statement number {n}. Statement date: {issued:%d %B %Y}. "
        f"Period: 1 {month_name(year, month)} to {days} {month_name(year, month)} ({days} days).",
        f"Meter readings (smart meter): previous {reading - used:,}, latest {reading:,}. You used {used:,} {unit}.",
        f"Energy charge: {used:,} kWh at {rate:.2f}p per kWh = {pounds(energy)}.",
        f"Standing charge: {days} days at {standing:.2f}p per day = {pounds(standing_total)}.",
        f"Subtotal {pounds(subtotal)}; VAT at 5% {pounds(subtotal * VAT)}. Total charges this month: {pounds(total)}.",
        f"Your monthly direct debit of {pounds(direct_debit(fuel, year, month))} will be collected on "
        f"{date(issued.year, issued.month, 15):%d %B %Y}. Payment due by {issued + timedelta(days=14):%d %B %Y}.",
        f"Tariff: Brightwave Flexible (variable). {ENERGY_NOTES.get((year, month), '')}".strip(),
    ]
    return Doc(
        id=f"bill-{fuel}-{year}-{month:02d}",
        type="document",
        category="bill",
        title=f"{fuel.capitalize()} bill — {month_name(year, month)} (Brightwave)",
        updated=issued,
        body="\n".join(lines),
    )


def direct_debit(fuel: str, year: int, month: int) -> float:
    raised = (year, month) >= (2023, 10)  # Brightwave raised both direct debits after the summer review
    if fuel == "electricity":
        return 96.0 if raised else 88.0
    return 104.0 if raised else 92.0


def energy_bills() -> list[Doc]:
    docs: list[Doc] = []
    for fuel, account, rows, start in (
        ("electricity", "8841-2290-17", ELECTRICITY, 18_204),
        ("gas", "8841-2290-25", GAS, 41_377),
    ):
        reading = start
        for n, row in enumerate(rows, start=31):
            reading += row[2]
            docs.append(energy_bill(fuel, account, row, reading, n))
    return docs


# --- water: Mercia Water, half-yearly -----------------------------------------------------------

WATER = [
    ("2023-04", "1 April 2023 to 30 September 2023", 58, 101.32, 117.85, date(2023, 10, 12)),
    ("2023-10", "1 October 2023 to 31 March 2024", 61, 106.57, 124.02, date(2024, 4, 11)),
]


def water_bills() -> list[Doc]:
    docs = []
    for key, period, m3, water, sewer, issued in WATER:
        total = water + sewer
        body = f"""
Mercia Water — your water and sewerage bill.
Account number: 40218876. Customer: Mr T Brennan, 14 Larkspur Road, Ashby Green AG4 7PL.
Bill date: {issued:%d %B %Y}. Charges for {period}.
Metered supply. Meter serial MW-88120-44.
You used {m3} cubic metres of water this period (about {m3 * 1000 // 183:,} litres a day).
Clean water: {pounds(water)}. Wastewater (sewerage and surface water drainage): {pounds(sewer)}.
No VAT on household water.
Total: {pounds(total)}, to be paid by 6 monthly direct debit instalments of {pounds(total / 6)}
from the 1st of next month.
Leak? Call 0800 783 4444. Water hardness in your area: very hard (about 310 mg/l calcium carbonate).
"""
        docs.append(Doc(f"bill-water-{key}", "document", "bill", f"Water bill — {period} (Mercia Water)", issued, body))
    return docs


# --- broadband and mobiles, monthly --------------------------------------------------------------

PHONES = [
    # id part, owner, provider, account, number, plan, base price
    ("mobile-claire", "Claire Brennan", "Tidal Mobile", "30-7761-4408", "07700 900412", "30GB SIM-only", 12.00),
    (
        "mobile-tom",
        "Thomas Brennan",
        "Vox Mobile",
        "VX-00218834",
        "07700 900587",
        "Unlimited, with handset",
        38.50,
    ),
]
PHONE_EXTRAS = {
    ("mobile-claire", 2): ("Calls to 0845 numbers", 3.12),
    ("mobile-tom", 3): ("Roaming outside the EU (Switzerland, 2 days)", 14.00),
    ("mobile-tom", 1): ("Premium rate text (charity donation)", 5.00),
}


def phone_bill(spec: tuple[str, str, str, str, str, str, float], month: int) -> Doc:
    key, owner, provider, account, number, plan, base = spec
    extra = PHONE_EXTRAS.get((key, month))
    total = base + (extra[1] if extra else 0.0)
    issued = date(2024, month, 8)
    minutes, texts, data = 140 + 37 * month + len(owner) * 9, 20 + 11 * month, 4.2 + 2.9 * month + len(key) % 5
    lines = [
        f"{provider} — monthly bill for {month_name(2024, month)}.",
        f"Account holder: {owner}. Account number: {account}. Mobile number: {number}. Plan: {plan}.",
        f"Bill date: {issued:%d %B %Y}. Monthly plan charge: {pounds(base)}.",
        f"Extra charges: {extra[0]} {pounds(extra[1])}." if extra else "No extra charges this month.",
        f"Usage this month: {minutes} minutes of calls, {texts} texts and {data:.1f}GB of mobile data.",
        f"Total: {pounds(total)} (includes VAT). Direct debit on {issued + timedelta(days=10):%d %B %Y}.",
        "Manage your account, spending caps and roaming in the app; call 333 from your mobile for help.",
    ]
    title = f"{provider} mobile phone bill — {owner.split()[0]}, {month_name(2024, month)}"
    return Doc(f"bill-{key}-2024-{month:02d}", "document", "bill", title, issued, "\n".join(lines))


def broadband_bill(month: int) -> Doc:
    issued = date(2024, month, 2)
    body = f"""
Skyline Fibre — your bill for {month_name(2024, month)}.
Account number: SF-5520931. Customer: Claire Brennan, 14 Larkspur Road, Ashby Green AG4 7PL.
Full Fibre 500 broadband, month {6 + month} of 24. Monthly charge: £36.00 (fixed price, no mid-contract rise).
{"One-off: replacement mesh booster posted (under warranty), £0.00." if month == 2 else "No one-off charges."}
Total: £36.00 including VAT, collected by direct debit on {date(2024, month, 14):%d %B %Y}.
Average speed measured at your hub this month: {[512, 498, 503, 507][month - 1]} Mbps download.
"""
    title = f"Broadband bill — {month_name(2024, month)} (Skyline Fibre)"
    return Doc(f"bill-broadband-2024-{month:02d}", "document", "bill", title, issued, body)


# --- Claire's payslips ---------------------------------------------------------------------------


def payslip(month: int, overtime_hours: float) -> Doc:
    basic, hourly = 3_548.33, 32.74
    overtime = overtime_hours * hourly * 1.5
    gross = basic + overtime
    pension = gross * 0.098
    tax, ni = (gross - pension - 1_047.50) * 0.20, (gross - 1_048) * 0.08
    net = gross - pension - tax - ni
    paid = date(2024, month, 26)
    body = f"""
Ashby General Hospital NHS Foundation Trust — payslip for {month_name(2024, month)}.
Employee: Claire Brennan, Specialist Pharmacist, Band 7 (part-time 0.8 WTE). Assignment number 28830415.
Pay date: {paid:%d %B %Y}. Tax code: 1257L. NI number: QQ 65 43 21 A.
Basic pay: {pounds(basic)}. Overtime ({overtime_hours:g} hours at time and a half): {pounds(overtime)}.
Gross pay: {pounds(gross)}.
Deductions: income tax {pounds(tax)}; National Insurance {pounds(ni)}; NHS Pension (9.8%) {pounds(pension)}.
Net pay: {pounds(net)}, paid into Nationwide account ending 7765.
"""
    title = f"Payslip — Claire, {month_name(2024, month)} (NHS)"
    return Doc(f"payslip-claire-2024-{month:02d}", "document", "finance", title, paid, body)


# --- school dinner money receipts ------------------------------------------------------------------


def dinner_receipt(n: int, when: date, amount: float) -> Doc:
    body = f"""
ParentPay payment receipt. Receipt number PP-{88_410_000 + n * 137}.
Payer: Claire Brennan. Date: {when:%d %B %Y}.
Item: Westfield Academy school meals — Sam Brennan (9R). Amount: {pounds(amount)}.
Paid by: Visa debit ending 2231. Balance after top-up: {pounds(amount + [3.40, 4.85, 1.20, 2.95][n])}.
Meals are taken from the balance at the till by fingerprint; a main meal costs £2.60 and a meal deal £2.95.
A low balance email is sent when the account falls below £5.00. Unused balance carries over to next term.
"""
    title = f"ParentPay receipt — Sam's dinner money top-up {when:%d %B %Y}"
    return Doc(f"receipt-dinner-money-{when:%Y-%m-%d}", "document", "school", title, when, body)


def all_docs() -> list[Doc]:
    months = range(1, 5)
    docs = energy_bills() + water_bills()
    docs += [broadband_bill(m) for m in months]
    docs += [phone_bill(spec, m) for spec in PHONES for m in months]
    docs += [payslip(m, hours) for m, hours in zip(range(1, 4), (0, 7.5, 15), strict=True)]
    top_ups = [(date(2024, 1, 8), 40.0), (date(2024, 2, 5), 40.0), (date(2024, 3, 4), 30.0), (date(2024, 4, 22), 40.0)]
    docs += [dinner_receipt(n, when, amount) for n, (when, amount) in enumerate(top_ups)]
    return docs


def write_all(out: Path = OUT) -> None:
    out.mkdir(exist_ok=True)
    for old in out.glob("*.md"):
        old.unlink()
    for doc in all_docs():
        (out / f"{doc.id}.md").write_text(doc.markdown(), encoding="utf-8")


if __name__ == "__main__":
    write_all()
