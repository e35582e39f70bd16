#include "answers.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace cueball::dns {

namespace {

// `name` and every name a CNAME chain in `records` leads to from it. Each
// pass adds at least one name or stops, so a CNAME loop ends.
std::set<std::string> aliases(const std::vector<Record>& records, const std::string& name) {
    std::set<std::string> names{name};
    for (bool grew = true; grew;) {
        grew = false;
        for (const Record& r : records) {
            if (r.type == kTypeCname && names.contains(r.name) && names.insert(r.target).second) grew = true;
        }
    }
    return names;
}

void merge(Addresses& into, const Addresses& from) {
    if (from.addresses.empty()) return;
    into.ttl = into.addresses.empty() ? from.ttl : std::min(into.ttl, from.ttl);
    for (const std::string& a : from.addresses) {
        if (std::find(into.addresses.begin(), into.addresses.end(), a) == into.addresses.end()) {
            into.addresses.push_back(a);
        }
    }
}

bool more_preferred(const SrvTarget& a, const SrvTarget& b) {
    return std::tuple(a.priority, -static_cast<int>(a.weight), a.target, a.port) <
           std::tuple(b.priority, -static_cast<int>(b.weight), b.target, b.port);
}

}  // namespace

std::vector<SrvTarget> srv_targets(const Message& message, const std::string& service) {
    const std::set<std::string> names = aliases(message.answers, normalize_name(service));
    std::vector<SrvTarget> targets;
    for (const Record& r : message.answers) {
        if (r.type != kTypeSrv || !names.contains(r.name) || r.target.empty()) continue;
        const SrvTarget found{r.target, r.port, r.ttl, r.priority, r.weight};
        auto same = [&](const SrvTarget& t) { return t.target == r.target && t.port == r.port; };
        auto it = std::find_if(targets.begin(), targets.end(), same);
        if (it == targets.end()) {
            targets.push_back(found);
            continue;
        }
        const std::uint32_t ttl = std::min(it->ttl, r.ttl);
        if (more_preferred(found, *it)) *it = found;
        it->ttl = ttl;
    }
    std::sort(targets.begin(), targets.end(), more_preferred);
    return targets;
}

Addresses addresses_for(const std::vector<Record>& records, const std::string& name) {
    const std::set<std::string> names = aliases(records, normalize_name(name));
    Addresses out;
    bool first = true;
    for (const Record& r : records) {
        const bool address = r.type == kTypeA || r.type == kTypeAaaa;
        if (!address || !names.contains(r.name)) continue;
        if (std::find(out.addresses.begin(), out.addresses.end(), r.address) == out.addresses.end()) {
            out.addresses.push_back(r.address);
        }
        out.ttl = first ? r.ttl : std::min(out.ttl, r.ttl);
        first = false;
    }
    return out;
}

std::optional<Addresses> carried_addresses(const Message& message, const std::string& target) {
    Addresses out = addresses_for(message.answers, target);
    merge(out, addresses_for(message.additionals, target));
    if (out.addresses.empty()) return std::nullopt;
    return out;
}

}  // namespace cueball::dns
