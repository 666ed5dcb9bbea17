"""Fill the Urdu catalogue from this table (kept in the repo so translations are reviewable).

The table is the source of truth: running the script writes every entry it knows into the
catalogue (replacing an older or fuzzy translation, and clearing the fuzzy flag only there), and
leaves entries it does not know untouched, so a fuzzy guess from ``pybabel update`` stays fuzzy
(and uncompiled) until someone translates it here.  A plural entry is keyed by its singular msgid
and maps to a tuple with one string per plural form (Urdu has two, like English).

Terms follow Punjab Safe City / Rescue 1122 usage: FIR = ایف آئی آر, challan = چالان,
CNIC = شناختی کارڈ نمبر, incident = واقعہ, dispatch = روانگی; acronyms (P1, ETA, km, PDF, CSV)
stay in Latin letters.  Arrows point the way Urdu reads (→ in English becomes ←).

Usage: python scripts/urdu_translations.py && bash scripts/i18n.sh
       python scripts/urdu_translations.py --missing   # list msgids with no Urdu yet
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po

Translation = str | tuple[str, ...]

URDU: dict[str, Translation] = {
    # person-search fields and police-verification statuses (web/labels.py)
    "father_name": "والد کا نام",
    "cnic": "شناختی کارڈ نمبر",
    "requested": "درخواست موصول",
    "approved": "منظور",
    "refused": "نامنظور",
    "revoked": "منسوخ",
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

    # --- cameras ---
    "Cameras": "کیمرے",
    "cameras": "کیمرے",
    "online": "آن لائن",
    "offline": "آف لائن",
    "maintenance": "زیرِ مرمت",
    "open plate hits": "زیرِ التوا پلیٹ ہٹس",
    "live": "لائیو",
    "Offline alerts": "آف لائن الرٹس",
    "Every watched camera is reporting.": "زیرِ نگرانی تمام کیمرے رپورٹ کر رہے ہیں۔",
    "Watchlist hits": "واچ لسٹ ہٹس",
    "No open hits.": "کوئی زیرِ التوا ہٹ نہیں۔",
    "No face recognition: cameras report their health and number plates only. Plate reads are "
    "personal data, kept for a limited time.":
        "چہرہ شناسی نہیں ہوتی: کیمرے صرف اپنی حالت اور گاڑیوں کی نمبر پلیٹیں رپورٹ کرتے ہیں۔ پلیٹ"
        " ریڈنگ ذاتی ڈیٹا ہے اور محدود مدت تک رکھی جاتی ہے۔",
    "Camera map": "کیمروں کا نقشہ",
    "Confirm": "تصدیق کریں",
    "Misread": "غلط ریڈنگ",
    "silent for": "خاموشی",
    "min": "منٹ",
    "last heartbeat": "آخری رابطہ",
    "never": "کبھی نہیں",
    "open alerts": "زیرِ التوا الرٹس",
    # cameras and plate alerts on the command map (command-cameras.js)
    "Camera": "کیمرہ",
    "zone": "زون",
    "Plate alerts": "نمبر پلیٹ الرٹس",
    "Plate alert": "نمبر پلیٹ الرٹ",
    "watchlist hits, newest first": "واچ لسٹ ہٹس، تازہ ترین پہلے",
    "No open plate alerts.": "کوئی زیرِ التوا نمبر پلیٹ الرٹ نہیں۔",
    "read as": "پڑھا گیا",
    "never heard from": "کبھی رابطہ نہیں ہوا",
    "fixed camera": "فکسڈ کیمرہ",
    "PTZ camera": "PTZ کیمرہ",
    "ANPR camera": "ANPR کیمرہ",
    "red-light camera": "ریڈ لائٹ کیمرہ",
    "exact read": "بالکل درست ریڈنگ",
    "look-alike characters": "ملتے جلتے حروف",
    "one character missing": "ایک حرف کم",
    "one character extra": "ایک حرف زائد",
    # --- command centre ---
    "Command centre": "کمانڈ سینٹر",
    "open incidents": "زیرِ کارروائی واقعات",
    "P1 open": "P1 زیرِ کارروائی",
    "units available": "دستیاب یونٹس",
    "Median response time per agency (target %(minutes)s min)":
        "ادارہ وار رسپانس ٹائم، میڈین (ہدف %(minutes)s منٹ)",
    "call → dispatch": "کال ← روانگی",
    "call → on scene": "کال ← موقع پر",
    "incidents": "واقعات",
    "no responses yet": "ابھی کوئی رسپانس نہیں",
    "Dismiss": "بند کریں",
    "New call": "نئی کال",
    "Type": "نوعیت",
    "Caller number": "کال کرنے والے کا نمبر",
    "Language": "زبان",
    "Location": "مقام",
    "Click the map, type coordinates, or name a landmark.":
        "نقشے پر کلک کریں، کوآرڈینیٹس لکھیں یا کسی نمایاں مقام کا نام دیں۔",
    "Latitude": "عرض بلد",
    "Longitude": "طول بلد",
    "Landmark": "نمایاں مقام",
    "Description": "تفصیل",
    "Suspicious object or circumstances": "مشکوک شے یا حالات",
    "Create incident": "واقعہ درج کریں",
    "Open incidents": "زیرِ کارروائی واقعات",
    "by priority": "ترجیح کے لحاظ سے",
    "No open incidents.": "کوئی زیرِ کارروائی واقعہ نہیں۔",
    "Command map": "کمانڈ نقشہ",
    "Recommend units": "یونٹس تجویز کریں",
    "Dispatch selected": "منتخب یونٹ روانہ کریں",
    "ETA": "ETA",
    "km": "km",
    "Unit": "یونٹ",
    "Why": "وجہ",
    "skills": "مہارتیں",
    "no special skills": "کوئی خاص مہارت نہیں",
    "ETAs by road travel time": "ETA سڑک کے راستے سفری وقت سے",
    "ETAs are straight-line estimates (no road graph loaded)":
        "ETA سیدھی لکیر کا تخمینہ ہیں (سڑکوں کا گراف لوڈ نہیں)",
    "short of units": "یونٹس کی کمی",
    "already assigned": "پہلے سے تفویض",
    "needed": "درکار",
    "Clear (release units)": "کلیئر (یونٹس فارغ)",
    "Close incident": "واقعہ بند کریں",
    "Cancel incident": "واقعہ منسوخ کریں",
    "en route": "راستے میں",
    "on scene": "موقع پر",
    "Assigned units": "تفویض کردہ یونٹس",
    "History": "تاریخچہ",
    "No unit assigned yet.": "ابھی کوئی یونٹ تفویض نہیں ہوا۔",
    "No available unit qualifies.": "کوئی دستیاب یونٹ اہل نہیں۔",
    "Possible duplicate of": "ممکنہ طور پر یہی واقعہ:",
    "Link call to it": "کال اس سے منسلک کریں",
    "Open a new incident anyway": "پھر بھی نیا واقعہ درج کریں",
    "Call linked to": "کال منسلک کر دی گئی:",
    "Open incidents of this kind nearby": "قریب اسی نوعیت کے زیرِ کارروائی واقعات",
    "Give a location: click the map, type coordinates or a landmark.":
        "مقام بتائیں: نقشے پر کلک کریں، کوآرڈینیٹس یا نمایاں مقام لکھیں۔",
    "call": "کال",
    "Calls": "کالز",
    "— choose the type —": "— نوعیت منتخب کریں —",
    "dispatched": "روانہ",
    "target": "ہدف",
    "Error": "خرابی",
    "connected": "منسلک",
    "reconnecting": "دوبارہ منسلک ہو رہا ہے",
    "This incident is closed.": "یہ واقعہ بند ہو چکا ہے۔",
    "Priority": "ترجیح",
    "Unit status": "یونٹ کی حالت",
    "call received": "کال موصول",
    "new": "نیا",
    "cleared": "کلیئر",
    "closed": "بند",
    "cancelled": "منسوخ",
    "available": "دستیاب",
    "returning": "واپسی پر",
    "off duty": "آف ڈیوٹی",
    "out of service": "سروس سے باہر",
    "dolphin_pair": "ڈولفن جوڑی",
    "response_car": "رسپانس گاڑی",
    "patrol_van": "گشتی وین",
    "ambulance": "ایمبولینس",
    "fire_tender": "فائر ٹینڈر",
    "traffic_warden": "ٹریفک وارڈن",
    "bomb_disposal_robot": "بم ڈسپوزل روبوٹ",
    "drone_team": "ڈرون ٹیم",
    "rescue_team": "ریسکیو ٹیم",
    "rescue_robot": "ریسکیو روبوٹ",
    "Roads": "سڑکیں",
    # --- forecast ---
    "Forecast": "پیش گوئی",
    "Weekly hotspot forecast": "ہفتہ وار ہاٹ سپاٹ پیش گوئی",
    "Data": "ڈیٹا",
    "Incidents in my area": "میرے علاقے کے واقعات",
    "Upload a CSV (occurred_at, category, lat, lon)":
        "CSV فائل اپ لوڈ کریں (occurred_at, category, lat, lon)",
    "File": "فائل",
    "Category": "زمرہ",
    "All incidents": "تمام واقعات",
    "Model": "ماڈل",
    "Share of area flagged": "نشان زد رقبے کا تناسب",
    "Patrol travel budget (minutes)": "گشت کا سفری وقت (منٹ)",
    "Forecast next week": "اگلے ہفتے کی پیش گوئی",
    "Measured hit rate of this model": "اس ماڈل کی ناپی گئی درستگی (ہٹ ریٹ)",
    "Run a forecast to see how often its flagged cells held the next week's events.":
        "پیش گوئی چلائیں اور دیکھیں کہ نشان زد خانوں میں اگلے ہفتے کے واقعات کتنی بار پیش آئے۔",
    "Patrol plan": "گشت کا منصوبہ",
    "Beat": "بیٹ",
    "Station": "تھانہ",
    "Cells (rank, minutes)": "خانے (درجہ، منٹ)",
    "A forecast says where events were concentrated, not who is suspect. Check the fairness report "
    "(safecity forecast fairness) before relying on it.":
        "پیش گوئی بتاتی ہے کہ واقعات کہاں زیادہ ہوئے، یہ نہیں کہ کون مشتبہ ہے۔ اس پر انحصار سے پہلے"
        " غیر جانبداری رپورٹ (safecity forecast fairness) دیکھیں۔",
    "Forecast map": "پیش گوئی کا نقشہ",
    "Week": "ہفتہ",
    "cells": "خانے",
    "of": "از",
    "events": "واقعات",
    "not measured": "ناپا نہیں گیا",
    "baseline": "بنیادی معیار",
    "Cells no beat reaches within the budget": "وہ خانے جہاں کوئی بیٹ مقررہ وقت میں نہیں پہنچتی",
    "Travel times by road (fastest path from each beat's station).":
        "سفری وقت سڑک کے راستے (ہر بیٹ کے تھانے سے تیز ترین راستہ)۔",
    "No road graph installed: straight-line travel-time estimate.":
        "سڑکوں کا گراف موجود نہیں: سفری وقت سیدھی لکیر کا تخمینہ ہے۔",
    "No Dolphin beats in your area: showing the layer only.":
        "آپ کے علاقے میں ڈولفن کی کوئی بیٹ نہیں: صرف نقشے کی پرت دکھائی جا رہی ہے۔",
    # --- records: person search ---
    "Person search": "افراد کی تلاش",
    "Search the criminal records of your jurisdiction by name (any spelling, Roman or Urdu script), "
    "father's or husband's name, CNIC fragment, phone or district. Every search is recorded in the "
    "audit log with its purpose.":
        "اپنے دائرہ اختیار کا مجرمانہ ریکارڈ نام (کوئی بھی ہجے، رومن یا اردو رسم الخط)، والد یا"
        " شوہر کے نام، شناختی کارڈ نمبر کے کسی حصے، فون یا ضلع سے تلاش کریں۔ ہر تلاش اپنے مقصد"
        " کے ساتھ آڈٹ لاگ میں درج ہوتی ہے۔",
    "Purpose of this search": "اس تلاش کا مقصد",
    "e.g. FIR 45/2026 KOR-LND: tracing the accused": "مثلاً ایف آئی آر 45/2026 KOR-LND: ملزم کی تلاش",
    "Father's or husband's name": "والد یا شوہر کا نام",
    "CNIC (whole or part)": "شناختی کارڈ نمبر (مکمل یا جزوی)",
    "Phone": "فون",
    "District code": "ضلع کوڈ",
    "Search": "تلاش کریں",
    "searching…": "تلاش جاری ہے…",
    "No one in your jurisdiction matches.": "آپ کے دائرہ اختیار میں کوئی مماثل شخص نہیں۔",
    "%(num)s person, best match first": (
        "%(num)s شخص، بہترین مماثلت پہلے",
        "%(num)s افراد، بہترین مماثلت پہلے",
    ),
    "name matcher": "نام ملانے کا طریقہ",
    "Score": "اسکور",
    "Person": "شخص",
    "CNIC": "شناختی کارڈ نمبر",
    "Why this rank": "یہ درجہ کیوں",
    "field": "خانہ",
    "asked": "تلاش میں",
    "on record": "ریکارڈ میں",
    "score": "اسکور",
    "weight": "وزن",
    # --- records: police verification (character certificate) ---
    "Police verification": "پولیس ویریفکیشن",
    "Applicant": "درخواست گزار",
    "Identity": "شناخت",
    "Date of birth": "تاریخ پیدائش",
    "Address": "پتہ",
    "District": "ضلع",
    "Filed": "تاریخ درخواست",
    "Decision": "فیصلہ",
    "Waiting for the records office.": "ریکارڈ آفس کے فیصلے کا انتظار ہے۔",
    "Decided": "تاریخ فیصلہ",
    "Reason": "وجہ",
    "Revoked": "منسوخ شدہ",
    "Download certificate (PDF)": "سرٹیفکیٹ ڈاؤن لوڈ کریں (PDF)",
    "Public check page": "عوامی تصدیقی صفحہ",
    "Check against records": "ریکارڈ سے جانچ",
    "Not checked yet. The check is a person search of this district's records by name, father's "
    "name and CNIC; it is audited with this request as its purpose.":
        "ابھی جانچ نہیں ہوئی۔ جانچ اس ضلع کے ریکارڈ میں نام، والد کے نام اور شناختی کارڈ نمبر سے"
        " افراد کی تلاش ہے؛ یہ اسی درخواست کو مقصد بنا کر آڈٹ لاگ میں درج ہوتی ہے۔",
    "Run the check": "جانچ کریں",
    "Checked %(t)s: nothing on record matches.": "جانچ %(t)s: ریکارڈ میں کوئی مماثلت نہیں۔",
    "Checked: %(num)s record may be this person. Look at each before deciding.": (
        "جانچ مکمل: %(num)s ریکارڈ اس شخص کا ہو سکتا ہے۔ فیصلے سے پہلے اسے دیکھیں۔",
        "جانچ مکمل: %(num)s ریکارڈ اس شخص کے ہو سکتے ہیں۔ فیصلے سے پہلے ہر ایک دیکھیں۔",
    ),
    "On record": "ریکارڈ میں",
    "Accused in": "ملزم (مقدمات)",
    "Convictions": "سزائیں",
    "Reason (required to refuse, and to approve when records were found)":
        "وجہ (انکار کے لیے لازمی، اور ریکارڈ ملنے پر منظوری کے لیے بھی)",
    "Approve and issue": "منظور کر کے جاری کریں",
    "Refuse": "مسترد کریں",
    "Police verification (character certificate)": "پولیس ویریفکیشن (کریکٹر سرٹیفکیٹ)",
    "New request": "نئی درخواست",
    "on a citizen's behalf": "شہری کی جانب سے",
    "Full name (as on CNIC, Roman letters)": "پورا نام (شناختی کارڈ کے مطابق، انگریزی حروف میں)",
    "Relation": "رشتہ",
    "or document": "یا دستاویز",
    "Document number": "دستاویز نمبر",
    "Purpose of the certificate": "سرٹیفکیٹ کا مقصد",
    "e.g. employment abroad": "مثلاً بیرونِ ملک ملازمت",
    "Submit request": "درخواست جمع کرائیں",
    "Requests to your records office": "آپ کے ریکارڈ آفس کو موصول درخواستیں",
    "Your requests": "آپ کی درخواستیں",
    "Reference": "حوالہ نمبر",
    "No requests yet.": "ابھی کوئی درخواست نہیں۔",
    "Certificate check": "سرٹیفکیٹ کی تصدیق",
    "Police verification certificate": "پولیس ویریفکیشن سرٹیفکیٹ",
    "Not found": "نہیں ملا",
    "No certificate has this verification code. Check the address, or treat the certificate as not "
    "genuine.":
        "اس تصدیقی کوڈ کا کوئی سرٹیفکیٹ موجود نہیں۔ ویب ایڈریس دوبارہ دیکھیں، ورنہ سرٹیفکیٹ کو"
        " جعلی سمجھیں۔",
    "Valid": "درست",
    "Issued on": "تاریخ اجرا",
    "Only the name and the date of issue are shown here. Compare the name with the holder's "
    "identity card.":
        "یہاں صرف نام اور تاریخ اجرا دکھائی جاتی ہے۔ نام کا موازنہ حامل کے شناختی کارڈ سے کریں۔",
    # --- records: duplicate persons ---
    "Duplicate persons": "دہرے اندراجات",
    "Duplicate persons: review queue": "دہرے اندراجات: نظرثانی کی قطار",
    "Duplicate proposal": "دہرے اندراج کی تجویز",
    "Are these the same person?": "کیا یہ ایک ہی شخص ہے؟",
    "probability of a match": "مماثلت کا امکان",
    "match weight (log2, sum of the field weights)": "مماثلتی وزن (log2، خانوں کے وزن کا مجموعہ)",
    "Field": "خانہ",
    "Record A": "ریکارڈ الف",
    "Record B": "ریکارڈ ب",
    "kept": "برقرار",
    "Kept": "برقرار رکھا گیا",
    "Agreement": "مطابقت",
    "Weight": "وزن",
    "Recorded": "تاریخ اندراج",
    "Aliases": "عرف",
    "A positive weight counts for a match, a negative one against. “missing” means one record lacks "
    "the field; it counts as disagreeing, as the model scores it.":
        "مثبت وزن مماثلت کے حق میں گنا جاتا ہے، منفی وزن خلاف۔ \"غیر موجود\" کا مطلب ہے کہ ایک ریکارڈ"
        " میں یہ خانہ خالی ہے؛ ماڈل کی طرح اسے عدم مطابقت شمار کیا جاتا ہے۔",
    "If merged, keep": "ضم کرنے پر برقرار رکھیں",
    "Merge": "ضم کریں",
    "Not the same person": "ایک شخص نہیں",
    "Reason to unmerge": "علیحدہ کرنے کی وجہ",
    "Unmerge": "علیحدہ کریں",
    "waiting for review": "نظرثانی کا منتظر",
    "merged": "ضم شدہ",
    "merged automatically": "خودکار طور پر ضم",
    "not the same person": "ایک شخص نہیں",
    "unmerged": "علیحدہ شدہ",
    "Year of birth": "سالِ پیدائش",
    "District (of the recording station)": "ضلع (اندراج کرنے والے تھانے کا)",
    "name": "نام",
    "father": "والد/شوہر",
    "born": "پیدائش",
    "birth year": "سالِ پیدائش",
    "phone": "فون",
    "agree": "مطابق",
    "disagree": "غیر مطابق",
    "missing": "غیر موجود",
    "father/husband": "والد/شوہر",
    "no CNIC": "شناختی کارڈ نمبر نہیں",
    "The model only proposes. A records officer decides each proposal — merge, or not the same "
    "person — with a reason; a merge only links the two records and can be undone.":
        "ماڈل صرف تجویز دیتا ہے۔ ہر تجویز کا فیصلہ — ضم کریں یا ایک شخص نہیں — ریکارڈ افسر وجہ کے"
        " ساتھ کرتا ہے؛ ضم کرنا صرف دونوں ریکارڈ کو جوڑتا ہے اور واپس لیا جا سکتا ہے۔",
    "Scanned %(persons)s records: %(num)s new proposal.": (
        "%(persons)s ریکارڈ جانچے گئے: %(num)s نئی تجویز۔",
        "%(persons)s ریکارڈ جانچے گئے: %(num)s نئی تجاویز۔",
    ),
    "Proposals": "تجاویز",
    "Waiting for review": "نظرثانی کی منتظر",
    "Merged": "ضم شدہ",
    "Not the same / unmerged": "ایک شخص نہیں / علیحدہ شدہ",
    "Scan for duplicates": "دہرے اندراجات تلاش کریں",
    "Probability": "امکان",
    "Match weight": "مماثلتی وزن",
    "Review": "نظرثانی کریں",
    "Open": "کھولیں",
    "Nothing here.": "یہاں کچھ نہیں۔",
    "Run a scan to look for duplicates.": "دہرے اندراجات تلاش کرنے کے لیے اسکین چلائیں۔",
    # --- traffic ---
    "Traffic": "ٹریفک",
    "Traffic enforcement": "ٹریفک قوانین کا نفاذ",
    "Violations to verify": "تصدیق طلب خلاف ورزیاں",
    "Offence": "خلاف ورزی",
    "Plate": "نمبر پلیٹ",
    "When": "کب",
    "Evidence": "ثبوت",
    "signal": "سگنل",
    "Verify & issue": "تصدیق اور چالان",
    "reason": "وجہ",
    "Reject": "مسترد کریں",
    "Nothing waiting.": "کچھ زیرِ التوا نہیں۔",
    "Disputes to review": "نظرثانی طلب اعتراضات",
    "Challan": "چالان",
    "Grounds": "وجوہات",
    "Take for review": "نظرثانی کے لیے لیں",
    "decision note": "فیصلے کا نوٹ",
    "Uphold": "برقرار رکھیں",
    "Quash": "منسوخ کریں",
    "No open disputes.": "کوئی زیرِ التوا اعتراض نہیں۔",
    "E-challans": "ای چالان",
    "Owner": "مالک",
    "Fine (PKR)": "جرمانہ (روپے)",
    "Issued": "جاری",
    "No challans yet.": "ابھی کوئی چالان نہیں۔",
    "Emergency corridors": "ایمرجنسی کوریڈور",
    "Emergency corridor": "ایمرجنسی کوریڈور",
    "Incident": "واقعہ",
    "Junctions to hold": "روکے جانے والے چوک",
    "Taken by": "ذمہ دار",
    "open": "زیرِ التوا",
    "No open corridor requests.": "کوریڈور کی کوئی زیرِ التوا درخواست نہیں۔",
}

PO = Path(__file__).resolve().parents[1] / "src/safecity/web/locale/ur/LC_MESSAGES/messages.po"

# %(name)s, %s, %d and {name}: every one in the msgid must survive translation unchanged.
_PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _translation_for(message: Message) -> tuple[str, ...] | str | None:
    """The table's Urdu for ``message``, shaped like the catalogue entry (tuple for plurals)."""
    ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
    found = URDU.get(str(ids[0]))
    if found is None:
        return None
    if isinstance(message.id, (tuple, list)):
        if isinstance(found, str):
            raise SystemExit(f"plural msgid {ids[0]!r} needs a tuple of forms in URDU")
        for index, form in enumerate(found):
            _check(str(ids[min(index, 1)]), form)  # form 0 is the singular, the rest plural
        return tuple(found)
    if not isinstance(found, str):
        raise SystemExit(f"msgid {ids[0]!r} is not plural; give one string in URDU")
    _check(str(ids[0]), found)
    return found


def _check(msgid: str, translation: str) -> None:
    if _placeholders(msgid) != _placeholders(translation):
        raise SystemExit(f"placeholders differ for {msgid!r}: {translation!r}")


def _is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def main(argv: list[str]) -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ur")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        translation = _translation_for(message)
        if translation is None:
            continue
        if message.string != translation or message.fuzzy:
            message.string = translation
            message.flags.discard("fuzzy")
            filled += 1
    missing = [m.id for m in catalog if m.id and not _is_translated(m)]
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)
    total = sum(1 for m in catalog if m.id)
    print(f"wrote {filled} entries; {total - len(missing)} of {total} translated", file=sys.stderr)
    if "--missing" in argv:
        for msgid in missing:
            print(repr(msgid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
