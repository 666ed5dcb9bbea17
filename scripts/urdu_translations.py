"""Fill the Urdu catalogue from this table (kept in the repo so translations are reviewable).

Usage: python scripts/urdu_translations.py && bash scripts/i18n.sh
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

URDU = {
    "admin": "منتظم",
    "supervisor": "نگران",
    "dispatcher": "ڈسپیچر",
    "operator": "کال ٹیکر",
    "officer": "افسر",
    "records_officer": "ریکارڈ افسر",
    "analyst": "تجزیہ کار",
    "liaison_officer": "رابطہ افسر",
    "traffic_officer": "ٹریفک افسر",
    "citizen": "شہری",
    "partner": "شراکت دار ادارہ",
    "camera": "کیمرہ",
    "province": "صوبہ",
    "region": "ریجن",
    "district": "ضلع",
    "station": "تھانہ",
    "agency": "ادارہ",
    "police": "پولیس",
    "rescue_1122": "ریسکیو 1122",
    "fire_brigade": "فائر بریگیڈ",
    "traffic_police": "ٹریفک پولیس",
    "bomb_disposal": "بم ڈسپوزل",
    "civil_defence": "سول ڈیفنس",
    "safe_city_authority": "سیف سٹی اتھارٹی",
    "Home": "سرورق",
    "Organisation": "تنظیم",
    "Users": "صارفین",
    "Audit log": "آڈٹ لاگ",
    "Append-only, hash-chained (RFC 6962 Merkle tree). Tree size %(n)s, root %(root)s.":
        "صرف اضافہ، ہیش زنجیر (RFC 6962 مرکل ٹری)۔ درخت کا حجم %(n)s، جڑ %(root)s۔",
    "Time": "وقت",
    "Actor": "کارکن",
    "Action": "کارروائی",
    "Object": "شے",
    "Purpose": "مقصد",
    "Safe City": "سیف سٹی",
    "Main menu": "مرکزی فہرست",
    "Log out": "لاگ آؤٹ",
    "Demo city: every call, incident and person shown is SYNTHETIC (generated), not real police data.":
        "ڈیمو شہر: یہاں دکھائی گئی ہر کال، واقعہ اور شخص مصنوعی (تیار کردہ) ہے، اصل پولیس ڈیٹا نہیں۔",
    "Map data": "نقشے کا ڈیٹا",
    "Welcome, %(name)s": "خوش آمدید، %(name)s",
    "Your roles": "آپ کے کردار",
    "Your jurisdiction": "آپ کا دائرہ اختیار",
    "none assigned": "کوئی تفویض نہیں",
    "Where to go": "کہاں جائیں",
    "Log in": "لاگ ان",
    "Username": "صارف نام",
    "Password": "پاس ورڈ",
    "Two-factor code (admin, supervisor, liaison)": "دو مرحلہ کوڈ (منتظم، نگران، رابطہ افسر)",
    "Units within your jurisdiction.": "آپ کے دائرہ اختیار میں یونٹس۔",
    "Code": "کوڈ",
    "Name": "نام",
    "Kind": "قسم",
    "Agency": "ادارہ",
    "Roles": "کردار",
    "Status": "حالت",
    "inactive": "غیر فعال",
    "locked until %(t)s": "%(t)s تک مقفل",
    "active": "فعال",
}

PO = Path(__file__).resolve().parents[1] / "src/safecity/web/locale/ur/LC_MESSAGES/messages.po"


def main() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ur")
    for message in catalog:
        if message.id and not message.string and message.id in URDU:
            message.string = URDU[str(message.id)]
            message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)


if __name__ == "__main__":
    main()
