// The schema of the settings file: which tables and keys exist, their types
// and the checks on each value, and how a table overrides Settings.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "jiralink/config/settings.h"
#include "table_reader.h"

namespace jiralink::config {

// The tables every layer may hold: "jira", "matching", "comments", ...
std::span<const std::string_view> SettingsTableNames();

// Applies one layer onto *settings, key by key: the top level of the file
// (display_prefix "") or the body of a [groups."x"] / [projects."x"] table
// (display_prefix "groups.\"x\"."). Keys of `layer` that are neither a
// settings table nor in `extra_tables` are reported as unknown; the
// extra tables themselves are left to the caller.
void ApplyLayer(const toml::table& layer, std::string_view display_prefix,
                std::span<const std::string_view> extra_tables, ApplyContext& context,
                Settings* settings);

}  // namespace jiralink::config
