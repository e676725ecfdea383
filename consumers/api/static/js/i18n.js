// Interface language (Arabic first, English), labels of the default taxonomy's ids, number and date formats.
// Content (titles, outlets, places) is shown as written, whatever the interface language.

const STRINGS = {
  ar: {
    app: "مرصد", subtitle: "لوحة المتابعة", skip: "تخطَّ إلى المرشحات", token: "رمز الوصول", filters: "المرشحات",
    topic: "الموضوع", org: "الجهة", country: "البلد", since: "من تاريخ", until: "إلى تاريخ", q: "بحث في النص",
    duplicate: "النسخ", dup_all: "كل المقالات", dup_original: "الأصلية فقط", all: "الكل", apply: "تطبيق", reset: "مسح",
    map: "الخريطة", map_label: "خريطة الأماكن", places: "الأماكن", more: "المزيد", alerts: "التنبيهات",
    no_alerts: "لا تنبيهات بعد.", timeline: "الخط الزمني", per: "لكل", per_day: "يوم", per_hour: "ساعة",
    as_table: "عرض كجدول", ledger: "سجل المضبوطات", by_item: "حسب المادة", by_place: "حسب المكان",
    by_month: "حسب الشهر", export_csv: "تصدير CSV", export_geojson: "تصدير GeoJSON", close: "إغلاق",
    token_title: "هذه الواجهة تطلب رمز وصول",
    token_help: "أدخل قيمة MARSAD_API_TOKEN. تبقى في هذه النافذة فقط (sessionStorage).", use_token: "استخدام الرمز",
    live: "مباشر", offline: "البث متوقف", starting: "جارٍ الاتصال…", live_off: "لا بث مباشر",
    summary: "{articles} مقالة، {located} منها في {places} مكاناً", no_places: "لا أماكن لهذا المرشح.",
    place_articles: "مقالات {place}", outlet: "المصدر", date: "التاريخ", source_link: "فتح المصدر",
    topics: "المواضيع", evidence: "الأدلة", places_f: "الأماكن", orgs: "الجهات", countries: "البلدان",
    quantities: "الكميات", text: "النص", copies: "نسخ أخرى", duplicate_of: "نسخة من",
    severity: "الشدة", rule: "القاعدة", kind: "النوع", raised: "وقت التنبيه", matched: "سبب التنبيه",
    articles: "المقالات", sources: "المصادر", window: "النافذة", observed: "المرصود", expected: "المتوقع",
    scope: "النطاق", revision: "تحديثات", item: "المادة", total: "المجموع", unit: "الوحدة", seizures: "عمليات ضبط",
    place: "المكان", month: "الشهر", first_last: "من — إلى", count: "العدد", day: "اليوم", hour: "الساعة",
    spike: "ارتفاع مفاجئ", story: "خبر", no_data: "لا بيانات لهذا المرشح.", error: "تعذر التحميل: {message}",
    token_needed: "الواجهة تطلب رمز وصول: اضغط «رمز الوصول».", unknown_place: "مكان غير معروف",
    critical: "حرج", warning: "تحذير", info: "معلومة", other: "أخرى",
    incidents: "الحوادث", incident_type: "نوع الحادثة", all_types: "كل الأنواع", killed: "قتلى", injured: "جرحى",
    arrested: "معتقلون", outlets: "مصادر مستقلة", actors: "المنفذون", targets: "المستهدفون", governorate: "المحافظة",
    reports: "التقارير", first_seen: "تاريخ أول رصد", show_incidents: "الحوادث على الخريطة", size_by: "الحجم حسب",
    size_killed: "عدد القتلى", size_outlets: "عدد المصادر", count_what: "عدّ", count_articles: "المقالات",
    count_incidents: "الحوادث (حسب تاريخ وقوعها)", export_acled: "تصدير على نمط ACLED",
    incidents_all: "{n} حادثة", incidents_some: "أحدث {n} حادثة", no_incidents: "لا حوادث لهذا المرشح.",
    incident_filters_ignored: "(مرشحات الموضوع والنص والنسخ تخص المقالات ولا تنطبق على الحوادث.)",
  },
  en: {
    app: "marsad", subtitle: "monitoring dashboard", skip: "Skip to filters", token: "Access token", filters: "Filters",
    topic: "Topic", org: "Organisation", country: "Country", since: "From", until: "To", q: "Text search",
    duplicate: "Copies", dup_all: "All articles", dup_original: "Originals only", all: "All", apply: "Apply", reset: "Clear",
    map: "Map", map_label: "Map of places", places: "Places", more: "More", alerts: "Alerts",
    no_alerts: "No alerts yet.", timeline: "Timeline", per: "Per", per_day: "day", per_hour: "hour",
    as_table: "Show as a table", ledger: "Seizure ledger", by_item: "By item", by_place: "By place",
    by_month: "By month", export_csv: "Export CSV", export_geojson: "Export GeoJSON", close: "Close",
    token_title: "This API needs an access token",
    token_help: "Enter the value of MARSAD_API_TOKEN. It stays in this tab only (sessionStorage).", use_token: "Use token",
    live: "live", offline: "feed stopped", starting: "connecting…", live_off: "no live feed",
    summary: "{articles} articles, {located} of them in {places} places", no_places: "No places for this filter.",
    place_articles: "Articles of {place}", outlet: "Outlet", date: "Date", source_link: "Open the source",
    topics: "Topics", evidence: "Evidence", places_f: "Places", orgs: "Organisations", countries: "Countries",
    quantities: "Quantities", text: "Text", copies: "Other copies", duplicate_of: "Copy of",
    severity: "Severity", rule: "Rule", kind: "Kind", raised: "Raised", matched: "Why",
    articles: "Articles", sources: "Sources", window: "Window", observed: "Observed", expected: "Expected",
    scope: "Scope", revision: "Updates", item: "Item", total: "Total", unit: "Unit", seizures: "Seizures",
    place: "Place", month: "Month", first_last: "First — last", count: "Count", day: "Day", hour: "Hour",
    spike: "spike", story: "story", no_data: "Nothing for this filter.", error: "Could not load: {message}",
    token_needed: "The API needs an access token: press “Access token”.", unknown_place: "unknown place",
    critical: "critical", warning: "warning", info: "info", other: "other",
    incidents: "Incidents", incident_type: "Incident type", all_types: "All types", killed: "killed", injured: "injured",
    arrested: "arrested", outlets: "independent outlets", actors: "Carried out by", targets: "Targeted",
    governorate: "Governorate", reports: "Reports", first_seen: "first seen", show_incidents: "Incidents on the map",
    size_by: "Size by", size_killed: "killed", size_outlets: "outlets", count_what: "Count",
    count_articles: "articles", count_incidents: "incidents (by event date)", export_acled: "Export ACLED-style",
    incidents_all: "{n} incidents", incidents_some: "the newest {n} incidents", no_incidents: "No incidents for this filter.",
    incident_filters_ignored: "(The topic, text and copies filters are about articles: they do not apply to incidents.)",
  },
};

const TOPICS = {
  narcotics: ["المخدرات", "Narcotics", "#c0392b"], arms: ["الأسلحة", "Arms", "#7d3c98"],
  terrorism: ["الإرهاب", "Terrorism", "#1c1c1c"], militias: ["الميليشيات", "Militias", "#d35400"],
  smuggling: ["التهريب", "Smuggling", "#b7950b"], security_ops: ["العمليات الأمنية", "Security operations", "#1f618d"],
  military: ["العمليات العسكرية", "Military operations", "#566573"], diplomacy: ["الدبلوماسية", "Diplomacy", "#117a65"],
  sanctions_policy: ["العقوبات والسياسات", "Sanctions and policy", "#6c3483"],
  humanitarian: ["الشأن الإنساني", "Humanitarian", "#2e86c1"],
};
const ITEMS = {
  captagon: ["كبتاغون", "Captagon"], hashish: ["حشيش", "Hashish"], crystal_meth: ["كريستال ميث", "Crystal meth"],
  heroin: ["هيروين", "Heroin"], cocaine: ["كوكايين", "Cocaine"], cannabis: ["قنب", "Cannabis"], opium: ["أفيون", "Opium"],
  tramadol: ["ترامادول", "Tramadol"], drugs: ["مواد مخدرة", "Drugs (unspecified)"],
};
const UNITS = { pill: ["حبة", "pills"], kg: ["كغ", "kg"], g: ["غ", "g"], ton: ["طن", "t"], liter: ["لتر", "l"] };
// Incident types (schemas.facts.INCIDENT_TYPES): Arabic, English, colour.
const TYPES = {
  armed_clash: ["اشتباك مسلح", "Armed clash", "#c0392b"], attack: ["هجوم", "Attack", "#8e1b10"],
  airstrike: ["غارة جوية", "Airstrike", "#6c3483"], arrest_raid: ["مداهمة واعتقال", "Arrest raid", "#1f618d"],
  seizure: ["ضبط", "Seizure", "#b7950b"], kidnapping: ["خطف", "Kidnapping", "#d35400"],
  protest: ["احتجاج", "Protest", "#117a65"], displacement: ["نزوح", "Displacement", "#2e86c1"],
  strategic: ["تطور استراتيجي", "Strategic development", "#566573"],
};
const PALETTE = ["#16a085", "#8e44ad", "#e67e22", "#2c3e50", "#27ae60", "#a93226", "#5d6d7e", "#d4ac0d"];

let lang = localStorage.getItem("marsad.lang") === "en" ? "en" : "ar";

export const getLang = () => lang;

export function setLang(value) {
  lang = value === "en" ? "en" : "ar";
  localStorage.setItem("marsad.lang", lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  document.title = `${t("app")} — ${t("subtitle")}`;
  const button = document.getElementById("lang-button");
  button.textContent = lang === "ar" ? "English" : "العربية";
  button.lang = lang === "ar" ? "en" : "ar";
}

export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.ar[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");
}

// Latin digits in both languages (as the region's press writes them); Levantine month names in Arabic.
// Formatters are costly to build (a timeline draws thousands of labels): one per language and style.
const locale = () => (lang === "ar" ? "ar-SY-u-nu-latn" : "en-GB");
const formatters = new Map();
function formatter(kind, options) {
  const key = `${lang}|${kind}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) {
    formatters.set(key, kind === "n" ? new Intl.NumberFormat(locale(), options) : new Intl.DateTimeFormat(locale(), options));
  }
  return formatters.get(key);
}

export const num = (n, digits = 0) =>
  n === null || n === undefined ? "" : formatter("n", { maximumFractionDigits: digits }).format(n);

const DAY = { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" };
const DAY_TIME = { ...DAY, hour: "2-digit", minute: "2-digit", hour12: false };

export function date(iso, withTime = false) {
  if (!iso) return "";
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso.length === 13 ? `${iso}:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter("d", withTime ? DAY_TIME : DAY).format(d);
}

export const month = (ym) =>
  formatter("d", { year: "numeric", month: "long", timeZone: "UTC" }).format(new Date(`${ym}-01T00:00:00Z`));

export function country(code) {
  if (!code) return "";
  try {
    if (!formatters.has(`${lang}|region`)) formatters.set(`${lang}|region`, new Intl.DisplayNames([lang], { type: "region" }));
    return formatters.get(`${lang}|region`).of(code) || code;
  } catch { return code; }
}

export const topicLabel = (id) => (TOPICS[id] ? TOPICS[id][lang === "ar" ? 0 : 1] : id);
export const itemLabel = (id) => (ITEMS[id] ? ITEMS[id][lang === "ar" ? 0 : 1] : id);
export const unitLabel = (id) => (UNITS[id] ? UNITS[id][lang === "ar" ? 0 : 1] : id);

export const typeLabel = (id) => (TYPES[id] ? TYPES[id][lang === "ar" ? 0 : 1] : id);
export const typeColor = (id) => (TYPES[id] ? TYPES[id][2] : topicColor(id));
export const incidentTypes = () => Object.keys(TYPES);

export function topicColor(id) {
  if (!id) return "#5d6677";
  if (TOPICS[id]) return TOPICS[id][2];
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}
