// The DNS answer parser, fed hand-built packets: every way an answer can be
// broken is rejected with a MessageError, and good answers read back exactly.
#include "dns_message.hpp"
#include "packet_builder.hpp"

#include <gtest/gtest.h>

namespace cueball::dns {
namespace {

using test::a_rdata;
using test::aaaa_rdata;
using test::kAnswerFlags;
using test::Packet;
using test::srv_rdata;

constexpr std::uint16_t kId = 0x1234;
constexpr std::uint16_t kQuestionOffset = 12;
const Question kHostA{"host.test.com", kTypeA};
const Question kSrv{"_echo._tcp.test.com", kTypeSrv};

Message parse(const Packet& p, const Question& q = kHostA, std::uint16_t id = kId) {
    return parse_response(p.bytes, id, q);
}

// Expects parse() to throw a MessageError of `kind`.
void expect_rejected(const Packet& p, MessageError::Kind kind, const Question& q = kHostA) {
    try {
        parse(p, q);
        ADD_FAILURE() << "accepted";
    } catch (const MessageError& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
    }
}

Packet one_a_answer(std::uint32_t ttl = 60) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    p.pointer(kQuestionOffset).rr_fixed(kTypeA, ttl, 4).raw(a_rdata("10.0.0.1"));
    return p;
}

TEST(DnsMessage, ParsesAnARecord) {
    const Message m = parse(one_a_answer());
    EXPECT_EQ(m.id, kId);
    EXPECT_EQ(m.rcode, kRcodeNoError);
    EXPECT_FALSE(m.truncated);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].name, "host.test.com");
    EXPECT_EQ(m.answers[0].type, kTypeA);
    EXPECT_EQ(m.answers[0].address, "10.0.0.1");
    EXPECT_TRUE(m.additionals.empty());
}

TEST(DnsMessage, ParsesAnAaaaRecord) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeAaaa);
    p.rr("host.test.com", kTypeAaaa, 30, aaaa_rdata("2001:db8::7"));
    const Message m = parse(p, Question{"host.test.com", kTypeAaaa});
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].type, kTypeAaaa);
    EXPECT_EQ(m.answers[0].address, "2001:db8::7");
}

TEST(DnsMessage, ExtractsTtl) {
    EXPECT_EQ(parse(one_a_answer(3600)).answers[0].ttl, 3600u);
    EXPECT_EQ(parse(one_a_answer(0)).answers[0].ttl, 0u);
    // RFC 2181 8: a TTL with the top bit set is read as zero.
    EXPECT_EQ(parse(one_a_answer(0x80000000u)).answers[0].ttl, 0u);
    EXPECT_EQ(parse(one_a_answer(0x7fffffffu)).answers[0].ttl, 0x7fffffffu);
}

TEST(DnsMessage, ParsesSrvRecordsAndTheAdditionalSection) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 2, 0, 2).question("_echo._tcp.test.com", kTypeSrv);
    p.pointer(kQuestionOffset).rr_fixed(kTypeSrv, 10, 6 + Packet::encode_name("a.test.com").size());
    p.raw(srv_rdata(1, 20, 7001, "a.test.com"));
    const std::uint16_t target_a = static_cast<std::uint16_t>(p.bytes.size() - Packet::encode_name("a.test.com").size());
    p.pointer(kQuestionOffset).rr_fixed(kTypeSrv, 20, 6 + 4).u16(2).u16(30).u16(7002).u8(1).u8('b').pointer(
        static_cast<std::uint16_t>(target_a + 2));  // "b" + ".test.com" of a.test.com
    p.pointer(target_a).rr_fixed(kTypeA, 5, 4).raw(a_rdata("127.0.0.1"));
    p.pointer(target_a).rr_fixed(kTypeAaaa, 7, 16).raw(aaaa_rdata("::1"));

    const Message m = parse(p, kSrv);
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_EQ(m.answers[0].type, kTypeSrv);
    EXPECT_EQ(m.answers[0].name, "_echo._tcp.test.com");
    EXPECT_EQ(m.answers[0].priority, 1);
    EXPECT_EQ(m.answers[0].weight, 20);
    EXPECT_EQ(m.answers[0].port, 7001);
    EXPECT_EQ(m.answers[0].target, "a.test.com");
    EXPECT_EQ(m.answers[0].ttl, 10u);
    EXPECT_EQ(m.answers[1].target, "b.test.com");
    EXPECT_EQ(m.answers[1].port, 7002);
    ASSERT_EQ(m.additionals.size(), 2u);
    EXPECT_EQ(m.additionals[0].name, "a.test.com");
    EXPECT_EQ(m.additionals[0].address, "127.0.0.1");
    EXPECT_EQ(m.additionals[0].ttl, 5u);
    EXPECT_EQ(m.additionals[1].address, "::1");
}

TEST(DnsMessage, ReadsRcodes) {
    Packet p;
    p.header(kId, kAnswerFlags | kRcodeNxDomain, 1, 0, 0, 0).question("host.test.com", kTypeA);
    const Message m = parse(p);
    EXPECT_EQ(m.rcode, kRcodeNxDomain);
    EXPECT_TRUE(m.answers.empty());
}

TEST(DnsMessage, ComparesTheQuestionCaseInsensitively) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 0, 0, 0).question("HoSt.Test.COM", kTypeA);
    EXPECT_NO_THROW(parse(p, Question{"host.TEST.com.", kTypeA}));
}

TEST(DnsMessage, SkipsRecordsOfOtherTypesAndClasses) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 3, 0, 0).question("host.test.com", kTypeA);
    p.rr("host.test.com", 16 /* TXT */, 60, {3, 'a', 'b', 'c'});
    p.pointer(kQuestionOffset).u16(kTypeA).u16(3 /* CH */).u32(60).u16(4).raw(a_rdata("10.9.9.9"));
    p.pointer(kQuestionOffset).rr_fixed(kTypeA, 60, 4).raw(a_rdata("10.0.0.2"));
    const Message m = parse(p);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].address, "10.0.0.2");
}

TEST(DnsMessage, ParsesCnames) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 2, 0, 0).question("host.test.com", kTypeA);
    p.pointer(kQuestionOffset).rr_fixed(kTypeCname, 60, Packet::encode_name("real.test.com").size());
    p.name("real.test.com");
    p.rr("real.test.com", kTypeA, 60, a_rdata("10.0.0.3"));
    const Message m = parse(p);
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_EQ(m.answers[0].type, kTypeCname);
    EXPECT_EQ(m.answers[0].target, "real.test.com");
}

TEST(DnsMessage, TcBitMarksTheAnswerTruncated) {
    Packet p;
    p.header(kId, kAnswerFlags | test::kTc, 1, 5, 0, 0).question("host.test.com", kTypeA);
    p.name("host.test.com").u16(kTypeA);  // a record cut off mid-way, as UDP truncation leaves it
    const Message m = parse(p);
    EXPECT_TRUE(m.truncated);
    EXPECT_TRUE(m.answers.empty());
}

TEST(DnsMessage, TruncatedAnswerMustStillCarryOurQuestion) {
    Packet p;
    p.header(kId, kAnswerFlags | test::kTc, 1, 0, 0, 0).question("other.test.com", kTypeA);
    expect_rejected(p, MessageError::Kind::mismatch);
    Packet cut;
    cut.header(kId, kAnswerFlags | test::kTc, 1, 0, 0, 0).name("host.test.com");
    expect_rejected(cut, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsZeroLength) {
    expect_rejected(Packet{}, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsATruncatedHeader) {
    Packet p = one_a_answer();
    p.bytes.resize(11);
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsOversizedMessages) {
    Packet p = one_a_answer();
    p.bytes.resize(kMaxMessageSize + 1);
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsATruncatedRecord) {
    Packet p = one_a_answer();
    for (std::size_t cut = p.bytes.size() - 1; cut > 12; --cut) {
        Packet shorter = p;
        shorter.bytes.resize(cut);
        expect_rejected(shorter, MessageError::Kind::malformed);
    }
}

TEST(DnsMessage, RejectsRdlengthPastTheEnd) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    p.pointer(kQuestionOffset).rr_fixed(kTypeA, 60, 40).raw(a_rdata("10.0.0.1"));
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsMoreRecordsThanTheHeaderCounts) {
    Packet p = one_a_answer();
    p.pointer(kQuestionOffset).rr_fixed(kTypeA, 60, 4).raw(a_rdata("10.0.0.2"));
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsACompressionPointerLoop) {
    Packet self;
    self.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    const auto at = static_cast<std::uint16_t>(self.bytes.size());
    self.pointer(at).rr_fixed(kTypeA, 60, 4).raw(a_rdata("10.0.0.1"));
    expect_rejected(self, MessageError::Kind::malformed);

    // Two labels pointing at each other.
    Packet pair;
    pair.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    const auto first = static_cast<std::uint16_t>(pair.bytes.size());
    pair.u8(1).u8('x').pointer(static_cast<std::uint16_t>(first + 4));
    pair.u8(1).u8('y').pointer(first);
    pair.rr_fixed(kTypeA, 60, 4).raw(a_rdata("10.0.0.1"));
    expect_rejected(pair, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsAPointerOutOfBounds) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    p.pointer(0x3fff).rr_fixed(kTypeA, 60, 4).raw(a_rdata("10.0.0.1"));
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsAPointerInRdataOutOfBounds) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("_echo._tcp.test.com", kTypeSrv);
    p.pointer(kQuestionOffset).rr_fixed(kTypeSrv, 60, 8).u16(0).u16(0).u16(7001).pointer(0x3ff0);
    expect_rejected(p, MessageError::Kind::malformed, kSrv);
}

TEST(DnsMessage, RejectsAWrongId) {
    try {
        parse_response(one_a_answer().bytes, kId + 1, kHostA);
        ADD_FAILURE() << "accepted";
    } catch (const MessageError& e) {
        EXPECT_EQ(e.kind(), MessageError::Kind::mismatch);
    }
}

TEST(DnsMessage, RejectsAQuery) {
    Packet p = one_a_answer();
    p.bytes[2] &= 0x7f;  // QR = 0
    expect_rejected(p, MessageError::Kind::mismatch);
}

TEST(DnsMessage, RejectsAnotherQuestion) {
    expect_rejected(one_a_answer(), MessageError::Kind::mismatch, Question{"other.test.com", kTypeA});
    expect_rejected(one_a_answer(), MessageError::Kind::mismatch, Question{"host.test.com", kTypeAaaa});
    Packet none;
    none.header(kId, kAnswerFlags, 0, 0, 0, 0);
    expect_rejected(none, MessageError::Kind::mismatch);
    Packet two;
    two.header(kId, kAnswerFlags, 2, 0, 0, 0).question("host.test.com", kTypeA).question("x.test.com", kTypeA);
    expect_rejected(two, MessageError::Kind::mismatch);
}

TEST(DnsMessage, RejectsAddressesOfTheWrongSize) {
    Packet p;
    p.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeA);
    p.pointer(kQuestionOffset).rr_fixed(kTypeA, 60, 5).raw(a_rdata("10.0.0.1")).u8(0);
    expect_rejected(p, MessageError::Kind::malformed);
    Packet q;
    q.header(kId, kAnswerFlags, 1, 1, 0, 0).question("host.test.com", kTypeAaaa);
    q.pointer(kQuestionOffset).rr_fixed(kTypeAaaa, 60, 4).raw(a_rdata("10.0.0.1"));
    expect_rejected(q, MessageError::Kind::malformed, Question{"host.test.com", kTypeAaaa});
}

TEST(DnsMessage, RejectsSrvDataThatDoesNotFitItsName) {
    Packet shorter;
    shorter.header(kId, kAnswerFlags, 1, 1, 0, 0).question("_echo._tcp.test.com", kTypeSrv);
    shorter.pointer(kQuestionOffset).rr_fixed(kTypeSrv, 60, 5).u16(0).u16(0).u8(1);
    expect_rejected(shorter, MessageError::Kind::malformed, kSrv);

    Packet longer;
    longer.header(kId, kAnswerFlags, 1, 1, 0, 0).question("_echo._tcp.test.com", kTypeSrv);
    const auto rdata = srv_rdata(0, 0, 7001, "a.test.com");
    longer.pointer(kQuestionOffset).rr_fixed(kTypeSrv, 60, rdata.size() + 2).raw(rdata).u16(0);
    expect_rejected(longer, MessageError::Kind::malformed, kSrv);
}

TEST(DnsMessage, RejectsTrailingBytes) {
    Packet p = one_a_answer();
    p.u8(0);
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, RejectsOtherOpcodes) {
    Packet p = one_a_answer();
    p.bytes[2] |= 0x28;  // opcode 5 (UPDATE)
    expect_rejected(p, MessageError::Kind::malformed);
}

TEST(DnsMessage, BuildsAQueryThatCarriesTheIdAndQuestion) {
    const std::vector<std::uint8_t> q = build_query(kSrv, 0xbeef);
    ASSERT_GE(q.size(), 12u);
    EXPECT_EQ(q[0], 0xbe);
    EXPECT_EQ(q[1], 0xef);
    EXPECT_EQ(q[2] & 0x80, 0);  // QR = 0: a query
    EXPECT_EQ(q[2] & 0x01, 1);  // RD
    EXPECT_EQ((q[4] << 8) | q[5], 1);
    // An answer is the query with QR set and records appended.
    std::vector<std::uint8_t> answer = q;
    answer[2] |= 0x80;
    const Message m = parse_response(answer, 0xbeef, kSrv);
    EXPECT_TRUE(m.answers.empty());
    // The query itself, echoed back, is not an answer.
    EXPECT_THROW(parse_response(q, 0xbeef, kSrv), MessageError);
}

TEST(DnsMessage, RefusesToEncodeBadNames) {
    EXPECT_THROW(build_query(Question{std::string(300, 'a'), kTypeA}, 1), MessageError);
    EXPECT_THROW(build_query(Question{std::string(64, 'a') + ".com", kTypeA}, 1), MessageError);
    EXPECT_THROW(build_query(Question{"a..com", kTypeA}, 1), MessageError);
}

TEST(DnsMessage, NormalizesNames) {
    EXPECT_EQ(normalize_name("Host.Test.COM."), "host.test.com");
    EXPECT_EQ(normalize_name("host"), "host");
    EXPECT_EQ(normalize_name("."), "");
    EXPECT_EQ(normalize_name("a\\."), "a\\.");
}

}  // namespace
}  // namespace cueball::dns
