"""studio.ui: the interface's words in English and Chinese (gr.I18n; the browser's language
picks one). Keys are stable names; a page asks `ctx.t("key")`. Messages that come from
the services (errors, statuses) are sentences in English; `say(key, lang_of(request))`
gives a sentence with values in the browser's language."""

from __future__ import annotations

import gradio as gr

EN: dict[str, str] = {
    "app_title": "Shotline studio",
    "tagline": "Paste a script, click once, download a finished cut.",
    "project": "Project",
    "refresh": "Refresh",
    "tab_script": "1 · Script", "tab_storyboard": "2 · Storyboard", "tab_generate": "3 · Generate",
    "tab_variants": "4 · Variants", "tab_timeline": "5 · Timeline", "tab_export": "6 · Export",
    "tab_library": "7 · Library", "tab_settings": "8 · Models & settings",
    "script": "Script (Chinese or English)", "script_file": "…or upload a script (.fountain, .fdx, .csv, .tsv, .xlsx, .json, .md, .txt)",
    "project_name": "Project name (optional)", "template": "Prompt template", "style": "Style", "model": "Model",
    "aspect": "Aspect ratio", "characters": "Character cards (.json / .yaml, optional)",
    "csv": "Personalisation CSV (one video per row, optional)", "label_position": "AI label position",
    "make_storyboard": "Make storyboard", "one_click": "One click: script → final cut",
    "flow_status": "Progress", "final_cut": "Final cut (download)", "final_video": "Final cut",
    "add_shot": "Add a shot", "add_shot_text": "New shot text", "save_order": "Save order (after dragging)",
    "queue_all": "Queue every shot", "shot_text": "Shot text", "prompt": "Prompt", "rule_prompt": "Rule-based prompt (kept)", "use_rule_prompt": "Go back to it", "planner_about": ("The language model rewrote this prompt with Wan's own prompt-extension instructions, on a worker. "
                      "With real weights (Qwen 3B to 7B on a GPU) expect seconds per shot; its quality and speed have not "
                      "been measured in this project yet. The tiny planner is a test model whose answers are always "
                      "rejected. The rule-based prompt is kept either way."), "duration": "Seconds",
    "seed": "Seed", "camera": "Camera", "subtitle": "Subtitle", "save": "Save", "split": "Split",
    "merge": "Merge with next", "delete": "Delete", "regenerate": "Regenerate this shot",
    # the Storyboard card's own choices (studio.ui.storyboard, studio.projects.cards)
    "no_picture": "No picture yet", "start_image": "Start image…", "remove_start_image": "Remove start image",
    "end_image": "End image…", "end_image_set": "End image ✓ (replace…)", "remove_end_image": "Remove end image",
    "continues": "Continue from the previous shot", "tier": "Tier", "tier_draft": "Draft", "tier_final": "Final",
    "image_models": "This model takes no start or end image; models that do:",
    "voice_long": "The spoken line is longer than the shot (voice / shot):", "lengthen": "Lengthen the shot to",
    "jobs": "Jobs", "live_preview": "Live preview", "job_id": "Selected job", "cancel": "Cancel", "retry": "Retry",
    "priority": "Priority", "set_priority": "Set priority",
    "variant_prompts": "Prompts (one per line)", "variant_styles": "Styles", "variant_seeds": "Seeds (comma separated)",
    "queue_variants": "Queue variants", "variant_board": "Variants", "pick_winner": "Mark as winner",
    "clips": "Clips in order", "transitions": "Transition after each clip", "music": "Music (upload)",
    "logo": "Logo (upload)", "subtitles": "Subtitles", "save_timeline": "Save timeline",
    "rebuild_timeline": "Rebuild from storyboard", "preview_render": "Quick preview (low resolution)",
    "preview": "Preview", "preset": "Export preset", "export": "Export", "exports": "Exports",
    "download": "Download", "provenance": "Provenance report", "otio": "OpenTimelineIO (.otio)",
    "search": "Search clips (中文 / English)", "filter_style": "Style", "filter_model": "Model",
    "results": "Results", "only_project": "Only this project", "play": "Play", "reuse": "Reuse in the current project",
    "models": "Models", "download_model": "Download model", "memory_mode": "Memory mode",
    "attention": "Attention kernel", "cache": "Step cache (faster, slightly lower quality)", "steps": "Steps (blank = model default)",
    "save_settings": "Save settings", "device": "Device", "usage": "Usage", "usage_chart": "Device seconds per project",
    "tasks": "Background tasks", "no_project": "No project yet: paste a script on the Script page.",
    "loras": "LoRAs in the library",
    "script_file_read": "Read {name}: {format}, {encoding}.", "script_file_read_binary": "Read {name}: {format}.",
    "undo_delete": "Undo delete", "undo_delete_done": "The deleted shot is back in its place.",
}

ZH: dict[str, str] = {
    "app_title": "Shotline 工作室",
    "tagline": "粘贴脚本，一键生成，下载成片。",
    "project": "项目",
    "refresh": "刷新",
    "tab_script": "1 · 脚本", "tab_storyboard": "2 · 分镜", "tab_generate": "3 · 生成",
    "tab_variants": "4 · 对比测试", "tab_timeline": "5 · 时间线", "tab_export": "6 · 导出",
    "tab_library": "7 · 素材库", "tab_settings": "8 · 模型与设置",
    "script": "脚本（中文或英文）", "script_file": "…或上传脚本（.fountain、.fdx、.csv、.tsv、.xlsx、.json、.md、.txt）",
    "project_name": "项目名称（可选）", "template": "提示词模板", "style": "风格", "model": "模型",
    "aspect": "画面比例", "characters": "角色卡（.json / .yaml，可选）",
    "csv": "个性化 CSV（每行一个视频，可选）", "label_position": "AI 标识位置",
    "make_storyboard": "生成分镜", "one_click": "一键成片",
    "flow_status": "进度", "final_cut": "成片（下载）", "final_video": "成片",
    "add_shot": "添加镜头", "add_shot_text": "新镜头内容", "save_order": "保存顺序（拖动之后）",
    "queue_all": "全部加入队列", "shot_text": "镜头内容", "prompt": "提示词", "rule_prompt": "规则生成的提示词（保留）", "use_rule_prompt": "恢复为它", "planner_about": ("语言模型在工作进程上按 Wan 官方的提示词扩写说明重写了这条提示词。使用真实权重（GPU 上的 Qwen 3B 至 7B）"
                      "时每个镜头预计需要数秒；其效果和速度本项目尚未实测。tiny 规划模型只用于测试，它的输出总会被拒绝。"
                      "无论如何，规则生成的提示词都会保留。"), "duration": "秒数",
    "seed": "种子", "camera": "镜头", "subtitle": "字幕", "save": "保存", "split": "拆分",
    "merge": "与下一个合并", "delete": "删除", "regenerate": "重新生成此镜头",
    # the Storyboard card's own choices (studio.ui.storyboard, studio.projects.cards)
    "no_picture": "还没有画面", "start_image": "起始画面…", "remove_start_image": "移除起始画面",
    "end_image": "结束画面…", "end_image_set": "结束画面 ✓（更换…）", "remove_end_image": "移除结束画面",
    "continues": "接续上一个镜头", "tier": "档位", "tier_draft": "草稿", "tier_final": "成片",
    "image_models": "此模型不接受起始或结束画面；接受的模型：",
    "voice_long": "台词比镜头长（配音 / 镜头）：", "lengthen": "把镜头延长到",
    "jobs": "任务", "live_preview": "实时预览", "job_id": "选中的任务", "cancel": "取消", "retry": "重试",
    "priority": "优先级", "set_priority": "设置优先级",
    "variant_prompts": "提示词（每行一个）", "variant_styles": "风格", "variant_seeds": "种子（逗号分隔）",
    "queue_variants": "加入对比队列", "variant_board": "对比结果", "pick_winner": "选为胜出",
    "clips": "片段顺序", "transitions": "每个片段后的转场", "music": "音乐（上传）",
    "logo": "标志（上传）", "subtitles": "字幕", "save_timeline": "保存时间线",
    "rebuild_timeline": "按分镜重建", "preview_render": "快速预览（低分辨率）",
    "preview": "预览", "preset": "导出预设", "export": "导出", "exports": "导出记录",
    "download": "下载", "provenance": "来源报告", "otio": "OpenTimelineIO（.otio）",
    "search": "搜索片段（中文 / English）", "filter_style": "风格", "filter_model": "模型",
    "results": "结果", "only_project": "仅当前项目", "play": "播放", "reuse": "在当前项目中复用",
    "models": "模型", "download_model": "下载模型", "memory_mode": "显存模式",
    "attention": "注意力内核", "cache": "步骤缓存（更快，质量略降）", "steps": "步数（留空为默认）",
    "save_settings": "保存设置", "device": "设备", "usage": "用量", "usage_chart": "各项目设备秒数",
    "tasks": "后台任务", "no_project": "还没有项目：请在脚本页粘贴脚本。",
    "loras": "LoRA 库",
    "script_file_read": "已读取 {name}：{format}，编码 {encoding}。", "script_file_read_binary": "已读取 {name}：{format}。",
    "undo_delete": "撤销删除", "undo_delete_done": "删除的镜头已恢复到原来的位置。",
}


def lang_of(request: gr.Request | None) -> str:
    """"zh" when the browser asks for Chinese first (Accept-Language), else "en": for
    sentences with values in them, which the page's own key translation cannot fill."""
    headers = getattr(request, "headers", None) or {}
    first = (headers.get("accept-language") or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def say(key: str, lang: str, **values: str) -> str:
    """The sentence `key` in the language `lang` ("en" or "zh") with its values filled in."""
    return (ZH if lang == "zh" else EN)[key].format(**values)


def make_i18n() -> gr.I18n:
    missing = sorted(set(EN) ^ set(ZH))
    if missing:
        raise ValueError(f"i18n keys missing in one language: {missing}")
    return gr.I18n(en=EN, zh=ZH, **{"zh-CN": ZH, "zh-TW": ZH})
