#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace bench {

namespace {

std::string format(double value, int decimals) {
    if (!std::isfinite(value)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

}  // namespace

Result& Result::number(const std::string& key, double value, int decimals) {
    fields_.push_back({key, Kind::Number, format(value, decimals)});
    return *this;
}

Result& Result::text(const std::string& key, const std::string& value) {
    fields_.push_back({key, Kind::Text, value});
    return *this;
}

Result& Result::list(const std::string& key, const std::vector<double>& values) {
    std::string joined;
    for (double v : values) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.4g", v);
        if (!joined.empty()) joined += ',';
        joined += buf;
    }
    fields_.push_back({key, Kind::List, joined});
    return *this;
}

std::string Result::line() const {
    std::string out = "peer=cueball " + id_ + " " + name_;
    for (const Field& f : fields_) {
        // Text with spaces is quoted so that the line still splits on blanks.
        const bool quote = f.kind == Kind::Text && f.value.find(' ') != std::string::npos;
        out += " " + f.key + "=" + (quote ? json_string(f.value) : f.value);
    }
    return out;
}

std::string Result::json() const {
    std::string out = "{\"id\": " + json_string(id_) + ", \"name\": " + json_string(name_);
    for (const Field& f : fields_) {
        out += ", " + json_string(f.key) + ": ";
        switch (f.kind) {
            case Kind::Number: out += f.value; break;
            case Kind::Text: out += json_string(f.value); break;
            case Kind::List: out += "[" + f.value + "]"; break;
        }
    }
    return out + "}";
}

void Reporter::add(const Result& result) {
    std::cout << result.line() << std::endl;
    results_.push_back(result);
}

void Reporter::skip(const std::string& id, const std::string& name, const std::string& why) {
    add(Result(id, name).text("skipped", why));
}

void Reporter::write_json(const std::string& path,
                          const std::vector<std::pair<std::string, std::string>>& context) const {
    std::ofstream out(path);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << "{\n  \"context\": {";
    for (std::size_t i = 0; i < context.size(); ++i) {
        out << (i == 0 ? "" : ", ") << json_string(context[i].first) << ": " << json_string(context[i].second);
    }
    out << "},\n  \"results\": [";
    for (std::size_t i = 0; i < results_.size(); ++i) out << (i == 0 ? "\n    " : ",\n    ") << results_[i].json();
    out << "\n  ]\n}\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace bench
