-- Argo CD health of a fledge Canary (resource.customizations.health.fledge.dev_Canary).
-- Healthy: the primary serves the promoted revision (Initialized, Succeeded).
-- Progressing: the operator has not seen this generation yet, or a release is under way.
-- Suspended: the release waits for a person (suspend, a pause command, a shut manual gate).
-- Degraded: the release was rolled back (Failed) or the operator cannot run it (Stalled).
local hs = { status = "Progressing", message = "Waiting for the fledge operator" }
local status = obj.status
if status == nil then
  return hs
end
local generation = (obj.metadata or {}).generation
if generation ~= nil and (status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the fledge operator to observe generation " .. generation
  return hs
end
local message = status.message or ""
for _, c in ipairs(status.conditions or {}) do
  if c.type == "Stalled" and c.status == "True" then
    return { status = "Degraded", message = c.message or message }
  end
end
local phase = status.phase or ""
if phase == "Failed" then
  return { status = "Degraded", message = message }
end
if (obj.spec or {}).suspend == true or status.paused == true then
  return { status = "Suspended", message = message }
end
if phase == "Waiting" or phase == "WaitingPromotion" then
  return { status = "Suspended", message = message }
end
if phase == "Initialized" or phase == "Succeeded" or phase == "Terminated" then
  return { status = "Healthy", message = message }
end
hs.message = message
return hs
