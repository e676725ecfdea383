"""`marsad feeds try`: one source polled now and shown, nothing published or saved."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from marsad.deploy.cli.main import cli
from marsad.producers.feeds.registry import Feed, dump_registry
from marsad.producers.feeds.state import STATE_FILE
from tests.producers.scripted_server import Reply, ScriptedServer
from tests.producers.scripted_sources import ChannelPost, section_page, telegram_preview


def run(tmp_path: Path, *args: str):
    env = {"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull, "MARSAD_ALLOW_NETWORKS": "127.0.0.1/32"}
    return CliRunner().invoke(cli, ["feeds", "try", *args], env=env)


def test_feeds_try_shows_what_a_source_finds_and_saves_nothing(server: ScriptedServer, tmp_path: Path) -> None:
    articles = [(f"/2024/11/16/story-{n}/", f"خبر رقم {n}") for n in range(12)]
    url = server.route("section/", Reply(body=section_page(articles, other_links=[("/tag/x/", "وسم")]),
                                         headers={"Content-Type": "text/html; charset=utf-8"}))
    broken = server.route("broken.xml", Reply(body=b"<urlset><url>"))
    registry = tmp_path / "feeds.yaml"
    registry.write_text(dump_registry([Feed(id="section", url=url, kind="page"),
                                       Feed(id="broken", url=broken, kind="sitemap")]), encoding="utf-8")

    result = run(tmp_path, "section", "--limit", "3", "--feeds", str(registry))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("section (page): 12 entries, HTTP 200; 3 links not articles")
    assert "/2024/11/16/story-0/" in lines[1] and "خبر رقم 0" in lines[2] and lines[-1] == "  ... 9 more (--limit)"
    assert not (tmp_path / STATE_FILE).exists()

    failed = run(tmp_path, "broken", "--feeds", str(registry))
    assert failed.exit_code != 0 and "broken (sitemap): parse/not_a_sitemap: not well-formed XML" in failed.output
    assert "Traceback" not in failed.output
    unknown = run(tmp_path, "nope", "--feeds", str(registry))
    assert unknown.exit_code != 0 and "no feed 'nope'" in unknown.output


def test_feeds_try_marks_an_edited_post(server: ScriptedServer, tmp_path: Path) -> None:
    when = datetime(2024, 11, 16, 9, 30, tzinfo=UTC)
    posts = [ChannelPost(5, "حلب: افتتاح مدرسة جديدة في حي الشعار بعد ترميمها بالكامل", when),
             ChannelPost(6, "حلب: إغلاق طريق الكاستيلو مؤقتاً بسبب أعمال صيانة طارئة", when, edited=True)]
    url = server.route("s/aleppo_now", Reply(body=telegram_preview("aleppo_now", "حلب الآن", posts, host="t.me"),
                                             headers={"Content-Type": "text/html; charset=utf-8"}))
    registry = tmp_path / "feeds.yaml"
    registry.write_text(dump_registry([Feed(id="aleppo", url=url, kind="telegram", min_chars=20)]), encoding="utf-8")
    result = run(tmp_path, "aleppo", "--feeds", str(registry))
    assert result.exit_code == 0, result.output
    # the feed's line, whatever a client left running by an earlier test of this process logs around it
    assert any(line.startswith("aleppo (telegram): 2 entries, HTTP 200; 1 edited")
               for line in result.output.splitlines()), result.output
    assert result.output.count("[edited at the source]") == 1 and "/aleppo_now/6" in result.output
