"""Article page templates of the five sample outlets, each with the boilerplate real sites add.

Every outlet has its own markup (an old table layout, WordPress, a Bootstrap
theme, a modern JSON-LD theme, an English site) and its own furniture:
navigation, breaking-news ticker, share buttons, an "اقرأ أيضاً" teaser in
the middle of the text, previous/next links, "الأكثر قراءة", a comment
form, a correction/complaint footer, and a photo caption printed under the
image and again as the first line of the text. That furniture is what the
extractor and the clean stage must remove.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

MONTHS_LEVANT = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
                 "تشرين الأول", "تشرين الثاني", "كانون الأول")
MONTHS_GREGORIAN = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                    "أكتوبر", "نوفمبر", "ديسمبر")
WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


@dataclass(frozen=True)
class Link:
    title: str
    href: str


@dataclass(frozen=True)
class ArticlePage:
    """Everything a template needs for one article page."""

    outlet_name: str
    title: str
    summary: str
    author: str
    section: str
    date: datetime
    href: str
    paragraphs: list[str]  # the marker READ_ALSO where the teaser goes
    caption: str | None
    read_also: Link
    previous: Link | None
    next: Link | None
    most_read: list[Link]
    ticker: list[Link]


READ_ALSO = "[[read-also]]"


def _links(items: list[Link], item: str = '<li><a href="{href}">{title}</a></li>') -> str:
    return "\n".join(item.format(href=escape(x.href), title=escape(x.title)) for x in items)


def _body(page: ArticlePage, paragraph: str, teaser: str, caption_first: bool = True) -> str:
    parts = []
    if page.caption and caption_first:
        parts.append(paragraph.format(text=escape(page.caption)))
    for text in page.paragraphs:
        if text == READ_ALSO:
            parts.append(teaser.format(href=escape(page.read_also.href), title=escape(page.read_also.title)))
        else:
            parts.append(paragraph.format(text=escape(text)))
    return "\n".join(parts)


def _prev_next(page: ArticlePage, previous_label: str, next_label: str, wrap: str) -> str:
    out = []
    if page.previous:
        out.append(wrap.format(cls="previous", label=previous_label, href=escape(page.previous.href),
                               title=escape(page.previous.title)))
    if page.next:
        out.append(wrap.format(cls="next", label=next_label, href=escape(page.next.href),
                               title=escape(page.next.title)))
    return "\n".join(out)


def horan_today(page: ArticlePage) -> str:
    """An old table layout, windows-1256, with a marquee ticker."""
    d = page.date
    image = ""
    if page.caption:
        image = (f'<div class="pic"><img src="/horan-today/images/{d:%Y%m%d}.jpg" width="480" alt="" />'
                 f'<div class="pic-caption">{escape(page.caption)}</div></div>')
    body = _body(page, "<p>{text}</p>", '<p class="also"><b>اقرأ أيضاً:</b> <a href="{href}">{title}</a></p>')
    nav = _prev_next(page, "الخبر السابق", "الخبر التالي", '<a class="{cls}" href="{href}">{label}: {title}</a>')
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html dir="rtl" lang="ar">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256" />
<title>{escape(page.title)} - حوران اليوم</title>
<meta name="description" content="{escape(page.summary)}" />
<link rel="stylesheet" href="/horan-today/style.css" />
</head>
<body>
<table id="top" width="100%"><tr>
<td class="logo"><a href="/horan-today/">حوران اليوم</a><br /><small>صوت أهل الجنوب السوري</small></td>
<td class="date">{WEEKDAYS_AR[d.weekday()]} {d.day} {MONTHS_LEVANT[d.month - 1]} {d.year}</td>
</tr></table>
<div id="menu"><a href="/horan-today/">الرئيسية</a> | <a href="/horan-today/">أخبار درعا</a> | <a href="/horan-today/">القنيطرة</a> | <a href="/horan-today/">السويداء</a> | <a href="/horan-today/">تقارير</a> | <a href="/horan-today/">اتصل بنا</a></div>
<div id="ticker"><b>عاجل:</b> <marquee direction="right">{" ••• ".join(escape(x.title) for x in page.ticker)}</marquee></div>
<table width="100%" cellpadding="6"><tr>
<td id="content" valign="top">
<div class="path"><a href="/horan-today/">الرئيسية</a> &raquo; {escape(page.section)} &raquo; الخبر</div>
<h1 class="news-title">{escape(page.title)}</h1>
<div class="news-info">نشر بتاريخ: {d:%Y/%m/%d} - {d:%H:%M} | القسم: {escape(page.section)} | بقلم: {escape(page.author)}</div>
{image}
<div class="news-text">
{body}
</div>
<div class="share">شارك الخبر: <a href="#">شارك على فيسبوك</a> - <a href="#">شارك على تويتر</a> - <a href="#">شارك على واتساب</a> - <a href="#">طباعة الخبر</a></div>
<div class="prevnext">{nav}</div>
<div class="comments">
<h3>اترك تعليقاً</h3>
<form action="#" method="post">الاسم: <input type="text" name="name" /><br />البريد الإلكتروني: <input type="text" name="email" /><br />
التعليق:<br /><textarea name="comment" rows="5" cols="50"></textarea><br /><input type="submit" value="أرسل التعليق" /></form>
<p class="note">التعليقات المنشورة تعبر عن رأي أصحابها ولا تعبر بالضرورة عن رأي الموقع.</p>
</div>
</td>
<td id="side" width="260" valign="top">
<h3>الأكثر قراءة</h3>
<ol>
{_links(page.most_read)}
</ol>
<h3>تابعونا</h3>
<p><a href="#">فيسبوك</a> | <a href="#">تلغرام</a> | <a href="#">يوتيوب</a></p>
</td>
</tr></table>
<div id="footer">جميع الحقوق محفوظة لموقع حوران اليوم &copy; 2024<br />
للتصحيح أو تقديم شكوى بشأن أي مادة منشورة يرجى مراسلتنا على بريد التحرير، ونلتزم بالرد خلال 48 ساعة.</div>
</body>
</html>
"""


def sawt_alfurat_content(page: ArticlePage) -> str:
    """The post body as WordPress stores it: used in the page and in the feed's content:encoded."""
    d = page.date
    figure = ""
    if page.caption:
        figure = (f'<figure class="wp-block-image size-large"><img src="/sawt-alfurat/wp-content/uploads/{d:%Y/%m}/'
                  f'photo-{d:%d%H}.jpg" alt="" /><figcaption>{escape(page.caption)}</figcaption></figure>\n')
    return figure + _body(page, "<p>{text}</p>", '<p><strong>اقرأ أيضاً: <a href="{href}">{title}</a></strong></p>')


def sawt_alfurat(page: ArticlePage) -> str:
    """A WordPress theme with sharedaddy buttons, related posts and a comment form."""
    d = page.date
    content = sawt_alfurat_content(page)
    nav = _prev_next(page, "المقال السابق", "المقال التالي",
                     '<div class="nav-{cls}"><a href="{href}" rel="{cls}"><span class="meta-nav">{label}</span> '
                     '<span class="post-title">{title}</span></a></div>')
    return f"""<!doctype html>
<html dir="rtl" lang="ar">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page.title)} &#8211; صوت الفرات</title>
<meta property="og:title" content="{escape(page.title)}">
<meta property="og:description" content="{escape(page.summary)}">
<meta property="article:published_time" content="{d.isoformat()}">
<meta name="author" content="{escape(page.author)}">
<link rel="canonical" href="{escape(page.href)}">
</head>
<body class="post-template-default single single-post">
<header id="masthead" class="site-header">
<div class="site-branding"><a href="/sawt-alfurat/" class="custom-logo-link">صوت الفرات</a><p class="site-description">أخبار دير الزور والجزيرة السورية</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li><a href="/sawt-alfurat/">الرئيسية</a></li><li><a href="/sawt-alfurat/">دير الزور</a></li><li><a href="/sawt-alfurat/">الجزيرة</a></li><li><a href="/sawt-alfurat/">سوريا</a></li><li><a href="/sawt-alfurat/">تقارير</a></li><li><a href="/sawt-alfurat/">من نحن</a></li>
</ul></nav>
<div class="breaking-news"><span>آخر الأخبار</span><ul>{_links(page.ticker)}</ul></div>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
<article class="post type-post status-publish format-standard has-post-thumbnail">
<header class="entry-header">
<span class="cat-links"><a href="/sawt-alfurat/" rel="category tag">{escape(page.section)}</a></span>
<h1 class="entry-title">{escape(page.title)}</h1>
<div class="entry-meta"><span class="byline">بواسطة <span class="author vcard"><a class="url fn n" href="/sawt-alfurat/">{escape(page.author)}</a></span></span>
<span class="posted-on"><time class="entry-date published" datetime="{d.isoformat()}">{d.day} {MONTHS_LEVANT[d.month - 1]} {d.year}</time></span></div>
</header>
<div class="social-share top"><span>شارك:</span> <a class="share-facebook" href="#">فيسبوك</a> <a class="share-twitter" href="#">تويتر</a> <a class="share-whatsapp" href="#">واتساب</a> <a class="share-telegram" href="#">تيليغرام</a></div>
<div class="entry-content">
{content}
</div>
<footer class="entry-footer"><span class="tags-links">الوسوم: <a href="/sawt-alfurat/" rel="tag">{escape(page.section)}</a></span></footer>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">شارك هذا الموضوع:</h3><ul>
<li><a class="share-facebook" href="#">شارك على فيسبوك</a></li><li><a class="share-twitter" href="#">شارك على تويتر</a></li><li><a class="share-whatsapp" href="#">شارك على واتساب</a></li></ul></div>
<div class="correction-note">هل لاحظت خطأ في هذا المقال؟ <a href="#">أبلغنا</a> لتصحيحه، أو راسلنا عبر صفحة الشكاوى.</div>
</article>
<nav class="navigation post-navigation" aria-label="مقالات"><h2 class="screen-reader-text">تصفّح المقالات</h2><div class="nav-links">
{nav}
</div></nav>
<section class="related-posts"><h3>مقالات ذات صلة</h3><ul>{_links(page.most_read[:3])}</ul></section>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form action="#" method="post" id="commentform" class="comment-form">
<p class="comment-notes">لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>
<p class="comment-form-comment"><label for="comment">التعليق *</label><textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">الاسم *</label><input id="author" name="author" type="text"></p>
<p class="form-submit"><input name="submit" type="submit" class="submit" value="إرسال التعليق"></p>
</form></div></div>
</main>
<aside id="secondary" class="widget-area">
<section class="widget widget_popular"><h2 class="widget-title">الأكثر قراءة</h2><ol>
{_links(page.most_read)}
</ol></section>
<section class="widget widget_newsletter"><h2 class="widget-title">النشرة البريدية</h2><p>اشترك ليصلك ملخص أخبار الفرات يومياً.</p><form><input type="email" placeholder="بريدك الإلكتروني"><button>اشترك</button></form></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><p>&copy; 2024 صوت الفرات. جميع الحقوق محفوظة.</p>
<p><a href="#">سياسة التصحيح والشكاوى</a> | <a href="#">سياسة الخصوصية</a> | <a href="#">اتصل بنا</a></p></footer>
</body>
</html>
"""


def al_rafidain(page: ArticlePage) -> str:
    """A Bootstrap news theme with an inline related box and view counters."""
    d = page.date
    image = ""
    if page.caption:
        image = (f'<div class="article-image"><img class="img-fluid" src="/al-rafidain/uploads/{d:%Y%m%d%H}.jpg" alt="">'
                 f'<p class="image-caption">{escape(page.caption)}</p></div>')
    body = _body(page, "<p>{text}</p>",
                 '<div class="inline-related"><span class="label">اقرأ أيضاً</span> <a href="{href}">{title}</a></div>')
    nav = _prev_next(page, "الخبر السابق", "الخبر التالي",
                     '<a class="btn btn-light {cls}" href="{href}">{label}<br><small>{title}</small></a>')
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>{escape(page.title)} | الرافدين نيوز</title>
<meta name="description" content="{escape(page.summary)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<div class="topbar"><div class="container"><span>بغداد {d:%d/%m/%Y}</span> <a href="#">تابعونا على تلغرام</a></div></div>
<nav class="navbar navbar-expand-lg"><div class="container"><a class="navbar-brand" href="/al-rafidain/">الرافدين نيوز</a>
<ul class="navbar-nav"><li class="nav-item"><a class="nav-link" href="/al-rafidain/">الرئيسية</a></li><li class="nav-item"><a class="nav-link" href="/al-rafidain/">العراق</a></li>
<li class="nav-item"><a class="nav-link" href="/al-rafidain/">أمن</a></li><li class="nav-item"><a class="nav-link" href="/al-rafidain/">سياسة</a></li><li class="nav-item"><a class="nav-link" href="/al-rafidain/">اقتصاد</a></li>
<li class="nav-item"><a class="nav-link" href="/al-rafidain/">رياضة</a></li><li class="nav-item"><a class="nav-link" href="/al-rafidain/">منوعات</a></li></ul></div></nav>
<div class="container"><div class="row">
<div class="col-lg-8">
<div class="article-details">
<ol class="breadcrumb"><li><a href="/al-rafidain/">الرئيسية</a></li><li>{escape(page.section)}</li></ol>
<h1 class="article-title">{escape(page.title)}</h1>
<div class="article-meta"><span class="date">{d:%Y-%m-%d %H:%M}</span> <span class="writer">{escape(page.author)}</span> <span class="views">المشاهدات: 2,{d.day}{d.hour}</span></div>
<ul class="share-buttons"><li><a href="#">شارك على فيسبوك</a></li><li><a href="#">شارك على تويتر</a></li><li><a href="#">شارك على واتساب</a></li><li><a href="#">نسخ الرابط</a></li></ul>
{image}
<div class="article-body" itemprop="articleBody">
{body}
</div>
<div class="source-note">الرافدين نيوز - بغداد</div>
<div class="article-nav">{nav}</div>
<div class="comments-box"><h4>اترك تعليقاً</h4><form><textarea class="form-control" placeholder="اكتب تعليقك هنا"></textarea><input class="form-control" placeholder="الاسم"><button class="btn">نشر التعليق</button></form></div>
</div>
</div>
<div class="col-lg-4 sidebar">
<div class="widget most-read"><h3>الأكثر قراءة</h3><ul>
{_links(page.most_read)}
</ul></div>
<div class="widget latest"><h3>آخر الأخبار</h3><ul>{_links(page.ticker)}</ul></div>
</div>
</div></div>
<footer class="footer"><div class="container"><p>جميع الحقوق محفوظة &copy; الرافدين نيوز 2024</p>
<p>لتصحيح معلومة أو تقديم شكوى بشأن المحتوى المنشور يرجى التواصل مع هيئة التحرير عبر صفحة "اتصل بنا".</p></div></footer>
</body>
</html>
"""


def al_mashriq(page: ArticlePage) -> str:
    """A modern theme with JSON-LD, an aside teaser, tags and a newsletter box."""
    d = page.date
    figure = ""
    if page.caption:
        figure = (f'<figure class="story__media"><img src="/al-mashriq/media/{d:%Y/%m/%d}/{d:%H%M}.webp" alt="{escape(page.caption)}">'
                  f'<figcaption>{escape(page.caption)}</figcaption></figure>')
    body = _body(page, '<p>{text}</p>',
                 '<aside class="story__related"><h4>اقرأ أيضاً</h4><a href="{href}">{title}</a></aside>')
    nav = _prev_next(page, "المقال السابق", "المقال التالي",
                     '<a class="pager__{cls}" href="{href}"><span>{label}</span>{title}</a>')
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title,
                     "datePublished": d.isoformat(), "author": {"@type": "Person", "name": page.author},
                     "publisher": {"@type": "Organization", "name": page.outlet_name}, "articleSection": page.section},
                    ensure_ascii=False)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page.title)} - المشرق 24</title>
<meta name="description" content="{escape(page.summary)}">
<meta property="og:type" content="article">
<script type="application/ld+json">{ld}</script>
</head>
<body class="page-article">
<header class="masthead"><a class="brand" href="/al-mashriq/">المشرق 24</a>
<nav class="sections"><a href="/al-mashriq/">الرئيسية</a><a href="/al-mashriq/">سوريا</a><a href="/al-mashriq/">العراق</a><a href="/al-mashriq/">لبنان</a><a href="/al-mashriq/">اقتصاد</a><a href="/al-mashriq/">ثقافة</a><a href="/al-mashriq/">رأي</a></nav>
<div class="ticker" data-role="breaking"><strong>الأخبار العاجلة</strong>{"".join(f"<span>{escape(x.title)}</span>" for x in page.ticker)}</div>
</header>
<main class="layout">
<article class="story">
<div class="story__kicker">{escape(page.section)}</div>
<h1 class="story__title">{escape(page.title)}</h1>
<p class="story__standfirst">{escape(page.summary)}</p>
<div class="story__byline"><span class="author">{escape(page.author)}</span> <time datetime="{d.isoformat()}">{d.day} {MONTHS_GREGORIAN[d.month - 1]} {d.year} - {d:%H:%M}</time></div>
<div class="share-bar"><a href="#" class="share share--fb">شارك على فيسبوك</a><a href="#" class="share share--tw">شارك على تويتر</a><a href="#" class="share share--wa">شارك على واتساب</a></div>
{figure}
<div class="story__body">
{body}
</div>
<div class="story__tags"><span>كلمات مفتاحية:</span> <a href="/al-mashriq/">{escape(page.section)}</a> <a href="/al-mashriq/">سوريا</a></div>
<div class="story__correction">لتقديم تصحيح أو شكوى حول هذا المحتوى، يرجى التواصل مع محرر المعايير عبر نموذج التصحيحات.</div>
<nav class="pager">{nav}</nav>
<section class="comments"><h3>التعليقات (0)</h3><p>اترك تعليقاً</p><form><textarea></textarea><button>إرسال</button></form></section>
</article>
<aside class="rail">
<section class="most-read"><h2>الأكثر قراءة</h2><ol>
{_links(page.most_read)}
</ol></section>
<section class="newsletter"><h2>نشرة المشرق</h2><p>أهم أخبار المنطقة في بريدك كل صباح.</p></section>
</aside>
</main>
<footer class="site-footer"><p>&copy; 2024 المشرق 24 - جميع الحقوق محفوظة</p><p><a href="#">من نحن</a> · <a href="#">سياسة الخصوصية</a> · <a href="#">التصحيحات والشكاوى</a></p></footer>
</body>
</html>
"""


def levant_monitor(page: ArticlePage) -> str:
    """An English site with "Read more" teasers, share links and a corrections line."""
    d = page.date
    figure = ""
    if page.caption:
        figure = (f'<figure class="lead-image"><img src="/levant-monitor/img/{d:%Y%m%d}.jpg" alt="">'
                  f'<figcaption>{escape(page.caption)}</figcaption></figure>')
    body = _body(page, "<p>{text}</p>", '<p class="read-more"><em>Read more:</em> <a href="{href}">{title}</a></p>')
    nav = _prev_next(page, "Previous article", "Next article", '<a class="{cls}" href="{href}">{label}: {title}</a>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(page.title)} | Levant Monitor</title>
<meta name="description" content="{escape(page.summary)}">
<meta name="author" content="{escape(page.author)}">
<meta property="article:published_time" content="{d.isoformat()}">
</head>
<body>
<header><a class="logo" href="/levant-monitor/">Levant Monitor</a>
<nav><a href="/levant-monitor/">Home</a> <a href="/levant-monitor/">Syria</a> <a href="/levant-monitor/">Iraq</a> <a href="/levant-monitor/">Jordan</a> <a href="/levant-monitor/">Sanctions</a> <a href="/levant-monitor/">Subscribe</a></nav></header>
<main>
<article>
<p class="section">{escape(page.section)}</p>
<h1>{escape(page.title)}</h1>
<p class="byline">By {escape(page.author)} | <time datetime="{d.isoformat()}">{d:%B} {d.day}, {d.year}</time></p>
<div class="share">Share on Facebook · Share on X · Share on WhatsApp · Email</div>
{figure}
<div class="article-body">
{body}
</div>
<p class="corrections">Spotted an error? Email corrections@levant-monitor.example and we will review it.</p>
<nav class="article-nav">{nav}</nav>
<section class="comments"><h3>Leave a comment</h3><form><textarea></textarea><button>Post comment</button></form></section>
</article>
<aside><h2>Most read</h2><ol>
{_links(page.most_read)}
</ol></aside>
</main>
<footer>&copy; 2024 Levant Monitor. All rights reserved.</footer>
</body>
</html>
"""


TEMPLATES: dict[str, Callable[[ArticlePage], str]] = {
    "horan-today": horan_today,
    "sawt-alfurat": sawt_alfurat,
    "al-rafidain": al_rafidain,
    "al-mashriq": al_mashriq,
    "levant-monitor": levant_monitor,
}
