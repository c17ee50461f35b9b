-- deployspec for Neovim 0.11+: put this folder on 'runtimepath' (or copy this file to
-- ~/.config/nvim/lsp/deployspec.lua) and call vim.lsp.enable('deployspec').
--
-- Neovim offers utf-8 positions first and pulls diagnostics; the server answers both. It
-- watches the spec root itself, since Neovim on Linux does not watch files for servers.
---@type vim.lsp.Config
return {
  cmd = { 'deployspec', 'server' },
  filetypes = { 'markdown' },
  root_markers = { '.deployspec.toml', '.git' },
  -- Overrides .deployspec.toml; same names, for example:
  --   settings = { deployspec = { rules = { DP020 = 'off' }, spec_root = 'runbooks' } }
  settings = { deployspec = vim.empty_dict() },
}
