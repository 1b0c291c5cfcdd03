/*
 * sim/presets.h - the built-in configuration presets, as embedded JSON texts.
 *
 * Private to the configuration module (sim/config.c and its tests): other
 * modules use config_preset() / config_preset_names() from sim/config.h.
 * Every preset is the base text (machine, VM, process, allocators, OS: what
 * does not depend on the core) overlaid with the core's text (TLBs, walk
 * caches, data caches), both applied through the ordinary JSON loader, so a
 * preset can never hold a value that a config file could not.
 */
#ifndef SIM_PRESETS_H
#define SIM_PRESETS_H

/* The JSON text every preset starts from (all non-core keys). */
const char *preset_base_json(void);

/**
 * preset_json() - the JSON text of the core part of preset @name.
 * Return: the text (static storage), or NULL if @name is not a preset.
 */
const char *preset_json(const char *name);

#endif /* SIM_PRESETS_H */
