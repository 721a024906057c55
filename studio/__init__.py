"""studio: the application services (storyboard, prompts, safety, database, jobs,
library, timeline, export, provenance, usage, CLI). Only `studio.ui` imports gradio."""
