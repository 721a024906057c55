"""studio.ui: the interface's words in English and Chinese (gr.I18n; the browser's language
picks one). Keys are stable names; a page asks `ctx.t("key")`. Messages that come from
the services (errors, statuses) are sentences in English; `say(request, key, ...)` (the
MSG tables) and `say_in(key, lang_of(request), ...)` (the page tables) give a sentence with
values in the browser's language."""

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
    "continues": "Continue from the previous shot", "shot_tier": "Tier", "shot_tier_draft": "Draft", "shot_tier_final": "Final",
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
    # the wired options (studio.ui.project_options, settings, generate, timeline, export)
    "project_options": "This project's options", "tier": "Quality tier", "tier_final": "Final (the model's full settings)",
    "tier_draft": "Draft (step-distilled LoRA: fast, lower quality)", "project_loras": "Project LoRAs",
    "lora_strength": "LoRA strength (blank = each LoRA's own)", "voice_mode": "Voice-over",
    "voice_auto": "Speak the voice-over and dialogue lines", "voice_off": "No voice",
    "narrator_zh": "Narrator voice (Chinese)", "narrator_en": "Narrator voice (English)", "voice_speed": "Voice speed",
    "use_planner": "Write prompts with the language model", "planner_model": "Language model",
    "save_options": "Save project options", "rewrite_prompts": "Rewrite the prompts now",
    "add_lora": "Add a LoRA", "lora_file": "LoRA file (.safetensors)",
    "lora_hub": "…or a Hugging Face file (hf:owner/repo/file.safetensors)", "lora_name": "Name (optional)",
    "lora_model": "For model", "lora_default_scale": "Default strength", "remake_final": "Re-make as final",
    "held_clips": "Held clips (frame safety)", "held_clip": "Held clip", "release_clip": "Release after review",
    "voice_volume": "Voice volume", "music_volume": "Music volume", "duck_db": "Music ducking under speech (dB)",
    "smooth_motion": "Smooth motion", "smooth_motion_info": ("Interpolates the 16 fps clips to the export rate instead of "
                                                             "repeating frames. It makes the export about 12 times slower "
                                                             "on a CPU (measured: 5.9 s against 69 s for a 5 s clip)."),
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
    "continues": "接续上一个镜头", "shot_tier": "档位", "shot_tier_draft": "草稿", "shot_tier_final": "成品",
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
    "project_options": "本项目的选项", "tier": "质量档位", "tier_final": "成品（模型的完整设置）",
    "tier_draft": "草稿（步数蒸馏 LoRA：快，质量较低）", "project_loras": "项目 LoRA",
    "lora_strength": "LoRA 强度（留空为各自默认）", "voice_mode": "配音",
    "voice_auto": "朗读旁白和对白", "voice_off": "不配音",
    "narrator_zh": "旁白音色（中文）", "narrator_en": "旁白音色（英文）", "voice_speed": "语速",
    "use_planner": "用语言模型撰写提示词", "planner_model": "语言模型",
    "save_options": "保存项目选项", "rewrite_prompts": "立即重写提示词",
    "add_lora": "添加 LoRA", "lora_file": "LoRA 文件（.safetensors）",
    "lora_hub": "…或 Hugging Face 文件（hf:owner/repo/file.safetensors）", "lora_name": "名称（可选）",
    "lora_model": "适用模型", "lora_default_scale": "默认强度", "remake_final": "按成品档位重做",
    "held_clips": "被拦下的片段（画面安全）", "held_clip": "被拦下的片段", "release_clip": "审核后放行",
    "voice_volume": "人声音量", "music_volume": "音乐音量", "duck_db": "人声处音乐压低（dB）",
    "smooth_motion": "平滑运动", "smooth_motion_info": ("把 16 fps 片段插帧到导出帧率，而不是重复帧。在 CPU 上导出会慢约 12 倍"
                                                       "（实测：5 秒片段 5.9 秒对 69 秒）。"),
}


# messages a handler shows (gr.Info, gr.Error, markdown it returns): picked by the request's language
MSG_EN: dict[str, str] = {
    "options_saved": "The project's options are saved; they apply to clips queued from now on.",
    "tier_about": ("**Final**: {final_steps} steps, guidance {final_guidance} (the card's full settings). "
                   "**Draft**: the card's step-distilled LoRA {lora}, {steps} steps, guidance {guidance}; "
                   "much faster, lower quality. A finished draft can be re-made as final on the Generate page "
                   "with the same seed and prompt."),
    "tier_no_draft": ("**Final**: {final_steps} steps, guidance {final_guidance}. The card of {model} names no "
                      "step-distilled LoRA, so this model has no draft tier."),
    "planner_note": ("The language model runs as a job on the workers and rewrites each shot's prompt; the rule-based "
                     "prompt is kept beside it. On a machine without a GPU only the tiny planner runs: it is a test "
                     "model whose output is random by design, so every shot falls back to the rule-based prompt "
                     "with a warning. The quality of the real models' prompts has not been measured in this project."),
    "planner_started": "The language model is writing the prompts on a worker; the Storyboard page shows them when it is done.",
    "planner_done": "The language model finished: {rewritten} of {shots} prompt(s) rewritten, the others kept the rule-based prompt.",
    "planner_off": "Turn on \"Write prompts with the language model\" and save the options first.",
    "robotic": "robotic fallback", "remake_queued": "Queued again as final: job {job}.",
    "lora_added": "The LoRA {name} is in the library.", "lora_source": "Choose a LoRA file or type a hf: path.",
    "released": "Clip {clip} is released and can be exported.", "no_held": "No clip is held.",
    "choose_project": "Choose a project first (or make one on the Script page).",
    "choose_job": "Choose a job in the table first.",
    "lora_model": "Choose the model the LoRA was made for.",
}
MSG_ZH: dict[str, str] = {
    "options_saved": "项目选项已保存，对之后加入队列的片段生效。",
    "tier_about": ("**成品**：{final_steps} 步，引导系数 {final_guidance}（模型卡的完整设置）。**草稿**：模型卡的步数蒸馏 LoRA "
                   "{lora}，{steps} 步，引导系数 {guidance}；快得多，质量较低。完成的草稿可在生成页按成品档位重做，"
                   "种子和提示词不变。"),
    "tier_no_draft": "**成品**：{final_steps} 步，引导系数 {final_guidance}。{model} 的模型卡没有步数蒸馏 LoRA，因此没有草稿档位。",
    "planner_note": ("语言模型作为任务在工作进程上运行，重写每个镜头的提示词；规则生成的提示词会保留在旁边。没有 GPU 的机器上只能运行 "
                     "tiny 规划模型：它是测试模型，输出按设计是随机的，因此每个镜头都会退回规则生成的提示词并给出提示。"
                     "真实模型撰写的提示词质量本项目尚未实测。"),
    "planner_started": "语言模型正在工作进程上撰写提示词；完成后可在分镜页查看。",
    "planner_done": "语言模型已完成：{shots} 条提示词中重写了 {rewritten} 条，其余保留规则生成的提示词。",
    "planner_off": "请先勾选“用语言模型撰写提示词”并保存选项。",
    "robotic": "机械音备用", "remake_queued": "已按成品档位重新排队：任务 {job}。",
    "lora_added": "LoRA {name} 已加入库中。", "lora_source": "请选择 LoRA 文件或填写 hf: 路径。",
    "released": "片段 {clip} 已放行，可以导出。", "no_held": "没有被拦下的片段。",
    "choose_project": "请先选择项目（或在脚本页新建一个）。",
    "choose_job": "请先在表格中选择一个任务。",
    "lora_model": "请选择这个 LoRA 适用的模型。",
}


def is_zh(request: gr.Request | None) -> bool:
    """Whether the browser asks for Chinese first (its Accept-Language header)."""
    headers = getattr(request, "headers", None) or {}
    first = str(headers.get("accept-language", "")).split(",")[0].strip().lower()
    return first.startswith("zh")


def say(request: gr.Request | None, key: str, **values: object) -> str:
    """The message `key` in the request's language, with `values` filled in."""
    return (MSG_ZH if is_zh(request) else MSG_EN)[key].format(**values)


def lang_of(request: gr.Request | None) -> str:
    """"zh" when the browser asks for Chinese first (Accept-Language), else "en": for
    sentences with values in them, which the page's own key translation cannot fill."""
    headers = getattr(request, "headers", None) or {}
    first = (headers.get("accept-language") or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def say_in(key: str, lang: str, **values: str) -> str:
    """The sentence `key` in the language `lang` ("en" or "zh") with its values filled in."""
    return (ZH if lang == "zh" else EN)[key].format(**values)


def make_i18n() -> gr.I18n:
    missing = sorted((set(EN) ^ set(ZH)) | (set(MSG_EN) ^ set(MSG_ZH)))
    if missing:
        raise ValueError(f"i18n keys missing in one language: {missing}")
    return gr.I18n(en=EN, zh=ZH, **{"zh-CN": ZH, "zh-TW": ZH})
