-- wrk script for scripts/load: each request files a service request for the
-- demo's in-scope unit with an Idempotency-Key of its own, and the run ends
-- with a count of the answers by status, so that refusals are not mistaken
-- for throughput.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run = args[1] or tostring(os.time())
  statuses = {}
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("AFTERSALES_LOAD_TOKEN"),
    ["Idempotency-Key"] = string.format("load-%s-%d-%d", run, id, counter),
  }
  local body = '{"serial_number":"DEMO-IN-SCOPE-1","service_item":"repair","priority":"emergency","description":"主轴报警 spindle alarm"}'
  return wrk.format("POST", "/api/v1/service-requests", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      total[code] = (total[code] or 0) + n
    end
  end
  io.write("answers by status:")
  for code, n in pairs(total) do
    io.write(string.format(" %d×%d", n, code))
  end
  io.write("\n")
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
