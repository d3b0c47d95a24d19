#include "common/strings.hpp"

#include <gtest/gtest.h>

namespace optischema {
namespace {

TEST(StringsTest, SplitKeepsEmptyFields) {
    EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
    EXPECT_EQ(Split("", ','), (std::vector<std::string>{""}));
}

TEST(StringsTest, CollapseWhitespaceMakesOneLine) {
    EXPECT_EQ(CollapseWhitespace("  SELECT *\n\tFROM   t\n WHERE a = $1 "), "SELECT * FROM t WHERE a = $1");
}

TEST(StringsTest, EllipsizeCutsOnCharacterBoundaries) {
    EXPECT_EQ(Ellipsize("abcdef", 10), "abcdef");
    EXPECT_EQ(Ellipsize("abcdef", 6), "abcdef");
    EXPECT_EQ(Ellipsize("abcdefg", 6), "abcde…");
    // "é" is two bytes; the cut must not split it.
    EXPECT_EQ(Ellipsize("ééééééé", 4), "ééé…");
}

TEST(StringsTest, DefaultDataDirPrefersXdg) {
    setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
    EXPECT_EQ(DefaultDataDir(), "/tmp/xdg/optischema");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/u", 1);
    EXPECT_EQ(DefaultDataDir(), "/home/u/.local/share/optischema");
}

}  // namespace
}  // namespace optischema
