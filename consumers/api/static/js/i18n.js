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
    summary: "{articles}، منها {located} في {places}", no_places: "لا أماكن لهذا المرشح.",
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
    incidents_all: "{n}", incidents_some: "الأحدث: {n}", no_incidents: "لا حوادث لهذا المرشح.",
    incident_filters_ignored: "(مرشحات الموضوع والنص والنسخ ونوع المصدر تخص المقالات ولا تنطبق على الحوادث.)",
    dup_original_default: "القصص الأصلية (دون النسخ)", dup_with_copies: "مع النسخ المكررة",
    headline: "الخبر", event_time: "وقت الحدث", first_report: "أول خبر", raised_at: "رُفع التنبيه",
    alert_outlets: "المصادر", toll: "الحصيلة", alert_rule: "القاعدة", incident_at: "{type} في {place}",
    spike_headline: "ارتفاع مفاجئ: {what}", spike_reports: "{n} خلال النافذة (المتوقع {expected})",
    alerts_filters_ignored: "(مرشحات النص والنسخ ونوع المصدر تخص المقالات ولا تنطبق على التنبيهات.)",
    source_kind: "نوع المصدر", edited: "معدَّل", edited_title: "عدّله المصدر بعد نشره؛ المعروض النسخة {n}",
    kind_unknown: "غير معروف",
    alerts_filtered: "تنبيهات هذا المرشح", no_alerts_filter: "لا تنبيهات لهذا المرشح.",
    window_days: "النافذة", win_7: "آخر 7 أيام", win_30: "آخر 30 يوماً", win_90: "آخر 90 يوماً",
    win_365: "آخر سنة", win_all: "كل المدة", win_filter: "حسب مرشح التاريخ",
    timeline_window: "من {from} إلى {to}", timeline_brush: "اسحب على الشريط لاختيار فترة تصبح مرشح التاريخ",
    clear_range: "إلغاء مرشح التاريخ", timeline_keys: "السهمان ← و→ ينقلان الفترة إلى ما قبلها أو ما بعدها.", rolled_week: "(مجمّعة أسبوعياً)", rolled_day: "(مجمّعة يومياً)",
    multi_topic_note: "المقالة ذات الموضوعين تُعدّ في كليهما.", overview: "كل المدة",
    err_network: "تعذر الوصول إلى الخادم. تحقق من أن marsad api يعمل.",
    err_bad_request: "لم يقبل الخادم هذا الطلب: راجع المرشحات.", err_not_found: "لم يُعثر على المطلوب.",
    err_unknown_id: "لم يقبل الخادم هذا الطلب: لا يعرف التصنيف {what} «{value}». اختر من القائمة.",
    id_topic: "الموضوع", id_org: "المنظمة", id_actor: "الجهة المنفذة", id_target: "الجهة المستهدفة",
    err_server: "حدث خطأ في الخادم (HTTP {status}).", err_details: "تفاصيل تقنية",
    stale: "البيانات المعروضة قديمة (من {time}) ولا تطابق المرشحات الحالية.", retry: "إعادة المحاولة",
    r_topic: "الموضوع {topic} (الثقة {score})", r_terms: "، بدلالة {terms}", r_org: "الجهة {org}",
    r_country: "البلد {country}", r_place: "المكان {place}", r_place_in: "المكان {place} ضمن {area}",
    r_quantity: "كمية {amount} (الحد {min})", r_as_written: "، كما ورد: {text}",
    r_text: "النص يذكر {word}", r_corroborated: "أكّدته {sources} (المطلوب {min} خلال {hours} ساعة): {names}",
    r_spike: "{observed} خلال {hours} ساعة منذ {from}، والمتوقع {expected} (متوسط {windows} نافذة)؛ احتمال المصادفة {p}",
    r_latest: "آخر تقرير: {title}", r_incident: "حادثة {type}", r_on: " بتاريخ {date}", r_at: " في {place}",
    r_actor: "المنفذ {orgs}", r_target: "المستهدف {orgs}", r_figure: "{figure} {value} (الشرط {op} {limit})",
    r_range: "، تتراوح التقارير بين {low} و{high}", r_untranslated: "نص آلي لم يُترجم:",
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
    summary: "{articles}, {located} of them in {places}", no_places: "No places for this filter.",
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
    incidents_all: "{n}", incidents_some: "the newest {n}", no_incidents: "No incidents for this filter.",
    incident_filters_ignored: "(The topic, text, copies and source kind filters are about articles: they do not apply to incidents.)",
    dup_original_default: "Original stories (no copies)", dup_with_copies: "With duplicate copies",
    headline: "Headline", event_time: "Event time", first_report: "First report", raised_at: "Raised",
    alert_outlets: "Outlets", toll: "Toll", alert_rule: "Rule", incident_at: "{type} in {place}",
    spike_headline: "Spike: {what}", spike_reports: "{n} in the window (expected {expected})",
    alerts_filters_ignored: "(The text, copies and source kind filters are about articles: they do not apply to alerts.)",
    source_kind: "Source kind", edited: "edited", edited_title: "Edited by its source after publishing; this is version {n}",
    kind_unknown: "unknown",
    alerts_filtered: "Alerts of this filter", no_alerts_filter: "No alerts for this filter.",
    window_days: "Window", win_7: "last 7 days", win_30: "last 30 days", win_90: "last 90 days",
    win_365: "last year", win_all: "all time", win_filter: "the date filter",
    timeline_window: "{from} to {to}", timeline_brush: "Drag across the strip to pick a period: it becomes the date filter",
    clear_range: "Clear the date filter", timeline_keys: "The arrow keys ← and → move the period earlier or later.", rolled_week: "(summed per week)", rolled_day: "(summed per day)",
    multi_topic_note: "An article with two topics counts under both.", overview: "all time",
    err_network: "Could not reach the server. Check that marsad api is running.",
    err_bad_request: "The server did not accept this request: check the filters.", err_not_found: "Not found.",
    err_unknown_id: "The server did not accept this request: the taxonomy has no {what} “{value}”. Pick one from the list.",
    id_topic: "topic", id_org: "organisation", id_actor: "actor", id_target: "target",
    err_server: "The server failed (HTTP {status}).", err_details: "Technical details",
    stale: "The data shown is stale (from {time}) and does not match the current filters.", retry: "Retry",
    r_topic: "topic {topic} (score {score})", r_terms: ", from {terms}", r_org: "organisation {org}",
    r_country: "country {country}", r_place: "place {place}", r_place_in: "place {place} within {area}",
    r_quantity: "quantity {amount} (at least {min})", r_as_written: ", as written: {text}",
    r_text: "the text says {word}", r_corroborated: "corroborated by {sources} (at least {min} within {hours} h): {names}",
    r_spike: "{observed} in {hours} h from {from}, expected {expected} (mean of {windows} windows); chance {p}",
    r_latest: "latest report: {title}", r_incident: "incident: {type}", r_on: " on {date}", r_at: " at {place}",
    r_actor: "carried out by {orgs}", r_target: "targeting {orgs}", r_figure: "{figure} {value} (rule: {op} {limit})",
    r_range: ", reports give {low} to {high}", r_untranslated: "machine text, not translated:",
  },
};

// Counted nouns by plural category (Intl.PluralRules): Arabic has zero, one, two, few, many and other.
const PLURALS = {
  articles: { ar: { zero: "لا مقالات", one: "مقالة واحدة", two: "مقالتان", few: "{n} مقالات", many: "{n} مقالة", other: "{n} مقالة" },
    en: { one: "{n} article", other: "{n} articles" } },
  outlets: { ar: { zero: "لا مصادر", one: "مصدر واحد", two: "مصدران", few: "{n} مصادر", many: "{n} مصدراً", other: "{n} مصدر" },
    en: { one: "{n} outlet", other: "{n} outlets" } },
  reports: { ar: { zero: "لا تقارير", one: "تقرير واحد", two: "تقريران", few: "{n} تقارير", many: "{n} تقريراً", other: "{n} تقرير" },
    en: { one: "{n} report", other: "{n} reports" } },
  incidents: { ar: { zero: "لا حوادث", one: "حادثة واحدة", two: "حادثتان", few: "{n} حوادث", many: "{n} حادثة", other: "{n} حادثة" },
    en: { one: "{n} incident", other: "{n} incidents" } },
  places: { ar: { zero: "لا أماكن", one: "مكان واحد", two: "مكانان", few: "{n} أماكن", many: "{n} مكاناً", other: "{n} مكان" },
    en: { one: "{n} place", other: "{n} places" } },
  killed: { ar: { zero: "لا قتلى", one: "قتيل واحد", two: "قتيلان", few: "{n} قتلى", many: "{n} قتيلاً", other: "{n} قتيل" },
    en: { one: "{n} killed", other: "{n} killed" } },
  injured: { ar: { zero: "لا جرحى", one: "جريح واحد", two: "جريحان", few: "{n} جرحى", many: "{n} جريحاً", other: "{n} جريح" },
    en: { one: "{n} injured", other: "{n} injured" } },
  arrested: { ar: { zero: "لا معتقلين", one: "معتقل واحد", two: "معتقلان", few: "{n} معتقلين", many: "{n} معتقلاً", other: "{n} معتقل" },
    en: { one: "{n} arrested", other: "{n} arrested" } },
};

// "3 مصادر", "مصدران", "11 مصدراً": the noun in the form the number calls for (a number and its noun are
// in one language, so they need no isolate; the caller isolates the phrase inside other text).
export function plural(noun, n) {
  const forms = PLURALS[noun][lang];
  const key = `${lang}|plural`;
  if (!formatters.has(key)) formatters.set(key, new Intl.PluralRules(lang));
  const cat = n === 0 && forms.zero ? "zero" : formatters.get(key).select(n);
  return (forms[cat] || forms.other).replace("{n}", num(n));
}

// Unicode isolates (FSI … PDI) around a run of text in the other direction, for places that cannot hold
// a <bdi> (attributes, SVG text, option labels): "(SY)" or "12:30" keep their order inside Arabic.
export const isolate = (text) => `\u2068${text}\u2069`;

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
// Kinds of source (schemas.wire.SOURCE_KINDS): Arabic, English.
const KINDS = {
  rss: ["RSS", "RSS"], sitemap: ["خريطة موقع", "Sitemap"], page: ["صفحة قسم", "Section page"],
  telegram: ["تلغرام", "Telegram"], import: ["استيراد", "Import"],
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

// Topics of one's own taxonomy: named as the taxonomy names them (GET /dashboard/config), else by id.
let topicNames = {};
export function setTopicNames(names) {
  topicNames = names || {};
  return Object.keys(topicNames).some((id) => !TOPICS[id]);
}
export const topicLabel = (id) => (TOPICS[id] ? TOPICS[id][lang === "ar" ? 0 : 1] : topicNames[id] || id);
export const itemLabel = (id) => (ITEMS[id] ? ITEMS[id][lang === "ar" ? 0 : 1] : id);
export const unitLabel = (id) => (UNITS[id] ? UNITS[id][lang === "ar" ? 0 : 1] : id);

export const kindLabel = (id) => (KINDS[id] ? KINDS[id][lang === "ar" ? 0 : 1] : t("kind_unknown"));
export const sourceKinds = () => Object.keys(KINDS);
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

// A string of the interface with nodes (or text) put in its {slots}: ["المكان ", <bdi>درعا</bdi>].
export function tn(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.ar[key] ?? key;
  return s.split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    return m ? (vars[m[1]] ?? "") : part;
  });
}

// The separator of a list in the interface's language.
export const listSep = () => (lang === "ar" ? "، " : ", ");
