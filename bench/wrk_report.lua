-- wrk script for `python -m bench.api`: counts non-2xx responses per thread and prints
-- one machine-readable line (request count, duration, latency percentiles in µs).
-- With the script argument `304-ok` (wrk ... -s wrk_report.lua URL -- 304-ok), used
-- for the conditional-GET row only, a 304 Not Modified is a success, counted apart.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
  not_modified = 0
  accept_304 = args[1] == "304-ok"
end

function response(status, headers, body)
  if status == 304 and accept_304 then
    not_modified = not_modified + 1
  elseif status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local bad, unchanged = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
    unchanged = unchanged + thread:get("not_modified")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "not_modified": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, bad, unchanged, e.connect + e.read + e.write + e.timeout))
end
