// Results: one greppable line per workload on stdout, in the shape of the
// reference floor's lines ("peer=cueball W1 uncontended ns_per_op=41.2 ..."),
// and the same fields as JSON for comparisons between commits.
#pragma once

#include <string>
#include <vector>

namespace bench {

class Result {
public:
    Result(std::string id, std::string name) : id_(std::move(id)), name_(std::move(name)) {}

    Result& number(const std::string& key, double value, int decimals = 1);
    Result& text(const std::string& key, const std::string& value);
    Result& list(const std::string& key, const std::vector<double>& values);

    const std::string& id() const { return id_; }
    std::string line() const;
    std::string json() const;

private:
    enum class Kind { Number, Text, List };
    struct Field {
        std::string key;
        Kind kind;
        std::string value;  // formatted; a list is comma-separated
    };
    std::string id_, name_;
    std::vector<Field> fields_;
};

// Prints each result as it comes and keeps it for the JSON file.
class Reporter {
public:
    void add(const Result& result);
    // A workload that could not run here, and why.
    void skip(const std::string& id, const std::string& name, const std::string& why);
    // Writes {"context": {...}, "results": [...]}. @throws std::runtime_error.
    void write_json(const std::string& path, const std::vector<std::pair<std::string, std::string>>& context) const;

private:
    std::vector<Result> results_;
};

std::string json_string(const std::string& s);

}  // namespace bench
