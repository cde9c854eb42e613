-- `kubectl fledge retry` as an Argo CD action: the command annotation for the current release.
local revision = (obj.status or {}).lastAppliedSpec or ""
obj.metadata.annotations = obj.metadata.annotations or {}
obj.metadata.annotations["fledge.dev/command"] = '{"verb":"retry","revision":"' .. revision .. '","at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"}'
return obj
