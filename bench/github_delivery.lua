-- wrk script: POST one signed GitHub issue_comment delivery per request, each with its own
-- X-GitHub-Delivery id (so every request is a new delivery that must be stored).
-- BODY_FILE: the payload; SIGNATURE: its X-Hub-Signature-256; RUN_ID: makes ids unique per run.

local body = assert(io.open(os.getenv("BODY_FILE"), "rb")):read("*a")
local signature = os.getenv("SIGNATURE")
local run_id = os.getenv("RUN_ID") or tostring(os.time())
local threads = {}
counter = 0
thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("thread_no", thread_no)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/webhooks/github", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "issue_comment",
    ["X-GitHub-Delivery"] = string.format("%s-%d-%d", run_id, thread_no, counter),
    ["X-Hub-Signature-256"] = signature,
  }, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local non2xx = summary.errors.status
  io.write(string.format("requests: %d in %.1fs, non-2xx: %d, socket errors: %d\n",
    summary.requests, secs, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
