// printable(): names from files made fit for one-line messages.

#include <gtest/gtest.h>

#include <string>

#include "prism/printable.hpp"

namespace prism {
namespace {

using namespace std::string_literals;

TEST(Printable, PlainNamesAndUtf8AreUnchanged) {
    EXPECT_EQ(printable("blk.0.attn_q.weight"), "blk.0.attn_q.weight");
    EXPECT_EQ(printable("héllo wörld 画像"), "héllo wörld 画像");
    EXPECT_EQ(printable(""), "");
}

TEST(Printable, ControlBytesAndBrokenUtf8AreEscaped) {
    EXPECT_EQ(printable("a\0b"s), "a\\x00b");
    EXPECT_EQ(printable("line\nbreak\ttab\x7f"), "line\\x0abreak\\x09tab\\x7f");
    EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
    EXPECT_EQ(printable("\x89PNG"), "\\x89PNG");              // a lone continuation byte
    EXPECT_EQ(printable("\xc3"), "\\xc3");                    // a sequence cut short
    EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
    EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a UTF-16 surrogate
    EXPECT_EQ(printable("\xc2\x85"), "\\xc2\\x85");           // U+0085, a C1 control
}

TEST(Printable, LongTextIsCutAfterMaxCharactersWithItsLength) {
    const std::string name(100000, 'a');
    EXPECT_EQ(printable(name), std::string(80, 'a') + "... (100000 bytes)");
    EXPECT_EQ(printable("abcdef", 3), "abc... (6 bytes)");
    EXPECT_EQ(printable("abc", 3), "abc");
    // Characters, not bytes: a multi-byte character is never split.
    EXPECT_EQ(printable("ééé", 2), "éé... (6 bytes)");
}

}  // namespace
}  // namespace prism
