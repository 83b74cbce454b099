-- wrk script for bench/load_bench.py: POST requirement profiles to /api/v1/match, in turn.
--
--   wrk -t2 -c10 -d20s --latency -s bench/wrk_match.lua http://127.0.0.1:8000 -- KEY PROFILES
--   wrk -t2 -c50 -d20s --latency -s bench/wrk_match.lua http://127.0.0.1:8000 -- - healthz
--
-- KEY is an API key (sent as X-API-Key); PROFILES is a file with one JSON profile per line.
-- With "healthz" instead of a file, every request is GET /healthz (the HTTP floor of the stack).
-- Each thread starts at a different profile and then takes them in turn, so consecutive requests
-- never ask the same thing. Responses outside 2xx are counted per thread (as wrk does for >= 400
-- in its "status" errors); at the end one line starting "LOAD_BENCH " carries the figures as
-- JSON: requests, non-2xx, socket errors and the latency percentiles in microseconds.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

local requests = {}
local position = 1
non2xx = 0
statuses = ""

function init(args)
  local key, source = args[1], args[2]
  if source == nil or source == "healthz" then
    requests[1] = wrk.format("GET", "/healthz")
    return
  end
  local headers = { ["Content-Type"] = "application/json", ["X-API-Key"] = key }
  for line in io.lines(source) do
    if line:match("%S") then
      table.insert(requests, wrk.format("POST", "/api/v1/match", headers, line))
    end
  end
  if #requests == 0 then
    error("no profiles in " .. source)
  end
  position = number % #requests + 1
end

function request()
  local chosen = requests[position]
  position = position % #requests + 1
  return chosen
end

local seen = {}

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    -- Remember which statuses were seen (at most a few distinct ones) for the report.
    if not seen[status] then
      seen[status] = true
      statuses = statuses .. (statuses == "" and "" or ",") .. status
    end
  end
end

function done(summary, latency, requests_)
  local bad, codes = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    local found = thread:get("statuses")
    if found ~= nil and found ~= "" then
      table.insert(codes, found)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'LOAD_BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, '
      .. '"statuses": "%s", "connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"p999_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, bad, table.concat(codes, ","),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean
  ))
end
