-- deployspec in real headless Neovim 0.11, set up as the README says: editors/neovim on
-- 'runtimepath' and vim.lsp.enable('deployspec'). Run by editors/neovim/test.sh, which copies
-- the fixture workspace and puts the deployspec binary on PATH. Environment:
--   E2E_FILE        the spec to open (inside the copied workspace)
--   E2E_DEPLOYSPEC  the binary, to compute what `deployspec check` reports
--   E2E_QUICK_FIX   when set: the title of the DP001 quick fix to apply (a separate step)
-- Prints `ok - …` / `not ok - …` lines, then `neovim: N passed, N failed`; exits non-zero on
-- a failure.

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
  end
  io.stdout:write((ok and 'ok' or 'not ok') .. ' - ' .. name .. '\n')
  if not ok and detail then
    io.stdout:write('  ' .. tostring(detail):gsub('\n', '\n  ') .. '\n')
  end
  return ok
end

local function finish()
  io.stdout:write(string.format('neovim: %d passed, %d failed\n', passed, failed))
  io.stdout:flush()
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop()
  end
  vim.wait(2000, function() return #vim.lsp.get_clients() == 0 end, 20)
  vim.cmd((failed == 0 and passed > 0) and 'qall!' or 'cquit 1')
end

local ok_main, err = xpcall(function()
  local file = assert(os.getenv('E2E_FILE'), 'E2E_FILE')
  local bin = assert(os.getenv('E2E_DEPLOYSPEC'), 'E2E_DEPLOYSPEC')
  local quick_fix = os.getenv('E2E_QUICK_FIX')
  if quick_fix == '' then quick_fix = nil end

  -- What `deployspec check` reports, as Neovim should show it: 0-based line, byte column.
  local lines = vim.fn.readfile(file)
  local function expected(path)
    local r = vim.system({ bin, 'check', '--format', 'json', path }, { text = true }):wait()
    local out = {}
    for _, d in ipairs(vim.json.decode(r.stdout)) do
      local l, c = d.range.start.line, d.range.start.column
      local text = vim.fn.readfile(path)[l]
      out[#out + 1] = { code = d.code, lnum = l - 1, col = vim.str_byteindex(text, 'utf-32', c - 1, false) }
    end
    return out
  end
  local function key(d) return string.format('%s@%d:%d', d.code, d.lnum, d.col) end
  local function keys(list)
    local k = vim.tbl_map(key, list)
    table.sort(k)
    return table.concat(k, ', ')
  end

  -- Count pulls and pushes as they arrive.
  local pulls, pushes = 0, 0
  local pull_handler = vim.lsp.handlers['textDocument/diagnostic']
  vim.lsp.handlers['textDocument/diagnostic'] = function(e, result, ctx, cfg)
    pulls = pulls + 1
    return pull_handler(e, result, ctx, cfg)
  end
  local push_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(e, result, ctx, cfg)
    pushes = pushes + 1
    return push_handler(e, result, ctx, cfg)
  end

  vim.lsp.enable('deployspec')
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check('the buffer is Markdown', vim.bo[buf].filetype == 'markdown', vim.bo[buf].filetype)

  local client
  vim.wait(10000, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'deployspec' })[1]
    return client ~= nil and client.initialized
  end, 20)
  if not check('vim.lsp.enable("deployspec") starts the server from lsp/deployspec.lua', client ~= nil) then
    return
  end
  check('the root is the folder with .deployspec.toml', client.root_dir == vim.fs.root(file, '.deployspec.toml'), client.root_dir)
  check('positions are utf-8 (Neovim offers it first)', client.offset_encoding == 'utf-8', client.offset_encoding)
  check('the server offers pull diagnostics', client.server_capabilities.diagnosticProvider ~= nil)

  local function current()
    return vim.tbl_map(function(d)
      return { code = d.code, lnum = d.lnum, col = d.col }
    end, vim.diagnostic.get(buf))
  end
  local function wait_for(want, ms)
    local ok = vim.wait(ms or 15000, function() return keys(current()) == keys(want) end, 50)
    return ok, keys(current())
  end

  local want = expected(file)
  local ok, got = wait_for(want)
  check('diagnostics equal `deployspec check` (codes, lines, byte columns): ' .. keys(want), ok, 'Neovim shows: ' .. got)
  check('they arrived by pull (textDocument/diagnostic)', pulls > 0, string.format('pulls=%d pushes=%d', pulls, pushes))
  local after_emoji = false
  for _, d in ipairs(want) do
    local text = lines[d.lnum + 1]
    local chars = vim.str_utfindex(text, 'utf-32', d.col, false)
    if d.col ~= chars then after_emoji = true end
  end
  check('a finding after an emoji has a byte column unlike its character column', after_emoji and ok)

  -- An edit (incremental sync in utf-8): time Step 2, and its DP020 goes away.
  local step2
  for i, l in ipairs(lines) do
    if l:find('Step 2', 1, true) then step2 = i end
  end
  local verify
  for i = step2, #lines do
    if lines[i]:find('^%- Verify:') then verify = i; break end
  end
  vim.api.nvim_buf_set_lines(buf, verify, verify, false, { '- Time: ~5 minutes' })
  local want2 = vim.tbl_filter(function(d) return d.code ~= 'DP020' end, want)
  for _, d in ipairs(want2) do
    if d.lnum >= verify then d.lnum = d.lnum + 1 end
  end
  ok, got = wait_for(want2)
  check('typing a time estimate under Step 2 clears its DP020', ok, 'Neovim shows: ' .. got)

  -- The DP001 quick fix (a separate step: it needs the server's code actions).
  if quick_fix then
    local dp001
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'DP001' then dp001 = d end
    end
    if not check('there is a DP001 to fix', dp001 ~= nil) then return end
    vim.api.nvim_win_set_cursor(0, { dp001.lnum + 1, dp001.col })
    local titles, applied = {}, false
    vim.lsp.buf.code_action({
      filter = function(a)
        titles[#titles + 1] = a.title
        return a.title == quick_fix or a.title:find(quick_fix, 1, true) ~= nil
      end,
      apply = true,
    })
    applied = vim.wait(10000, function()
      return not vim.tbl_contains(vim.tbl_map(function(d) return d.code end, vim.diagnostic.get(buf)), 'DP001')
    end, 50)
    check('the code action "' .. quick_fix .. '" is offered on the DP001 and applied', applied, 'offered: ' .. table.concat(titles, ' | '))
    vim.cmd('silent write')
    local written = table.concat(vim.fn.readfile(file), '\n')
    check('the written file has a Rollback Procedure section', written:find('\n## Rollback Procedure\n', 1, true) ~= nil, written)
    local r = vim.system({ bin, 'check', file }, { text = true }):wait()
    check('`deployspec check` on the written file reports no DP001', not r.stdout:find('DP001', 1, true), r.stdout)
  end
end, debug.traceback)

if not ok_main then
  check('the test runs', false, err)
end
finish()
