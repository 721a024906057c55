"""studio.prompts: Wan prompts from shots (the subject + scene + motion + aesthetic +
style formula), style / template / camera presets, character cards, token budget,
`{variable}` personalisation from CSV and A/B variants."""
