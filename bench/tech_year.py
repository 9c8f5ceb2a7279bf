"""A year of a technology weekly, made up for measuring typography on what the biology corpus lacks: numbered
tool lists with addresses and one-line descriptions, contributor handles in brackets after a full stop, file
names and extensions in lists, versions, commands, addresses set as text, quotes and titles in 「」 and “”,
feature lists of product names and numbers with units between 、,
entries written with hard line breaks (a bold title, its address, its description), percentages.

Run with `.venv/bin/python bench/tech_year.py OUT [--issues 52]`, then `publish build --source OUT/issues
--output OUT/output --format pdf` and `publish typo-report` on the PDF. Seeded: the same year every time.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

TOOLS = (
    "atuin",
    "starship",
    "zoxide",
    "ripgrep",
    "fd",
    "bat",
    "eza",
    "delta",
    "lazygit",
    "helix",
    "yazi",
    "dust",
    "hyperfine",
    "tokei",
    "bottom",
    "zellij",
    "nushell",
    "just",
    "mise",
    "uv",
    "ruff",
    "typst",
    "pandoc",
    "ffmpeg",
    "ImageMagick",
    "Excalidraw",
    "Obsidian",
    "Logseq",
    "Zotero",
    "Calibre",
    "KOReader",
    "Syncthing",
)
LANGUAGES = ("Rust", "Go", "Python", "TypeScript", "C++", "Zig", "Swift", "Kotlin")
KINDS = ("命令行工具", "桌面应用", "浏览器插件", "开源库", "网页服务", "笔记软件", "电子书阅读器")
HANDLES = ("@lintao", "@xiaoyu-dev", "@ZhangWei2019", "@chen_hao", "@miao.liu", "@k8s-fan", "@WangFang")
EXTENSIONS = (".txt", ".pdf", ".docx", ".md", ".mobi", ".epub", ".azw3", ".csv", ".json", ".yaml", ".toml")
SENTENCES = (
    "它把常用的操作都放进了一个界面，启动只要几十毫秒，配置文件也写得很清楚",
    "作者在博客里解释了为什么要重写一遍，主要是旧版本在大文件上太慢",
    "这个项目已经维护了五年，每个版本都有详细的更新说明和迁移指南",
    "安装以后不需要额外设置，默认的快捷键和大多数编辑器保持一致",
    "它支持增量同步，断网以后恢复连接会自动补齐缺失的部分",
    "界面很朴素，但是搜索和过滤做得非常细致，适合每天都要用的场景",
    "文档里有一节专门讲怎样在团队里推广它，值得一读",
    "最新的版本加入了插件系统，社区已经写了几十个扩展",
)
ARTICLES = (
    "为什么我们又回到了单体架构",
    "一个前端工程师的十年",
    "如何给开源项目写一份好的说明文档",
    "数据库索引是怎样工作的",
    "我用三个月时间学会了画画",
    "小团队怎样做代码评审",
    "从零开始写一个解释器",
    "远程办公五年的经验和教训",
)
FEATURES = (
    "3D 风格",
    "暗色主题",
    "Markdown 导出",
    "iPhone 15 Pro",
    "128 GB 存储",
    "Wi-Fi 6E",
    "4K 视频",
    "Apple Silicon",
    "USB-C 接口",
    "120 Hz 屏幕",
    "PDF 批注",
    "OCR 识别",
    "E Ink 屏幕",
    "5000 mAh 电池",
)
AWARDS = ("年度突破开源项目", "最佳新人奖", "年度开发者工具", "社区贡献奖")


def _tool_entry(rng: random.Random, number: int, tool: str, hard_breaks: bool) -> str:
    kind, language = rng.choice(KINDS), rng.choice(LANGUAGES)
    sentence = rng.choice(SENTENCES)
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    address = f"https://github.com/{rng.choice(HANDLES)[1:]}/{tool.lower()}"
    if hard_breaks:
        return (
            f"**{tool}**  \n{address}  \n一个用 {language} 写的{kind}，{sentence}。最新版本是 v{version}，"
            f"很适合国内的{rng.choice(('父母', '学生', '团队', '新手'))}使用。\n"
        )
    extensions = "、".join(rng.sample(EXTENSIONS, rng.randint(3, 6)))
    forms = (
        f"{number}、{tool}：一个用 {language} 写的{kind}\n\n{sentence}，可以处理{extensions} 文件。"
        f"项目地址是{address}，当前版本 v{version}。\n",
        f"{number}、[{tool}]({address})\n\n{sentence}。作者说它比同类工具快 {rng.randint(2, 9)}%，"
        f"内存占用只有 {rng.randint(10, 60)}%。代码开源[^{number}]。（{rng.choice(HANDLES)} 投稿）\n",
        f"{number}、{tool} {version} 发布\n\n{sentence}，这次更新支持了{extensions}，"
        f"配置写在 `~/.config/{tool.lower()}/config.toml` 里，运行 `{tool.lower()} --help` 可以看到全部选项。\n",
    )
    return rng.choice(forms)


def _issue(rng: random.Random, number: int, day: date) -> str:
    tools = rng.sample(TOOLS, rng.randint(6, 10))
    lines = [
        "---",
        f'title: "科技周刊第{number}期：{rng.choice(ARTICLES)}"',
        f'date: "{day.isoformat()}"',
        f"issueNumber: {number}",
        f'description: "本期介绍 {len(tools)} 个工具和 {rng.randint(2, 4)} 篇文章，还有读者的投稿。"',
        "---",
        "",
        f"这里记录每周值得分享的科技内容，周五发布。本期的封面是读者{rng.choice(HANDLES)}拍摄的“城市的夜晚”。",
        "",
        "## 本周话题",
        "",
        f"今年的“{rng.choice(AWARDS)}”奖颁给了一个只有三个人维护的项目，评委说它“把一件无聊的事做得很有趣”。"
        f"很多人问，小团队怎样才能做出这样的东西？答案也许很简单：只做一件事，并且把它做好。"
        f"项目的主页是https://example.org/projects/{number}/index.html?from=weekly&lang=zh ，"
        f"联系方式是 maintainer{number}@gmail.com。",
        "",
        "## 工具",
        "",
    ]
    for index, tool in enumerate(tools, start=1):
        lines.append(_tool_entry(rng, index, tool, hard_breaks=rng.random() < 0.35))
    features = "、".join(rng.sample(FEATURES, rng.randint(4, 7)))
    lines += [
        "## 新品",
        "",
        f"{rng.choice(SENTENCES)}。新版本支持{features}等功能，售价 {rng.randint(2, 9)}99 元起。",
        "",
    ]
    lines += ["## 文章", ""]
    for index, title in enumerate(rng.sample(ARTICLES, 3), start=1):
        lines.append(f"{index}、{title}\n\n{rng.choice(SENTENCES)}——这是作者的原话……值得细读。\n")
    lines += ["## 言论", "", f"“{rng.choice(SENTENCES)}。”", "", f"—— {rng.choice(HANDLES)}", ""]
    body = "\n".join(lines)
    notes = [f"[^{i}]: https://github.com/example/project-{i}" for i in range(1, len(tools) + 1) if f"[^{i}]" in body]
    return "\n".join([body, *notes]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--issues", type=int, default=52)
    args = parser.parse_args()
    rng = random.Random(27)
    folder = args.out / "issues"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, args.issues + 1):
        text = _issue(rng, number, date(2026, 1, 2) + timedelta(weeks=number - 1))
        (folder / f"issue-{number:03d}.md").write_text(text, encoding="utf-8")
    print(f"{args.issues} issues in {folder}")


if __name__ == "__main__":
    main()
