#include "store/open_store.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace optischema::store {
namespace {

using Kind = StoreLocation::Kind;

TEST(StoreLocationTest, UrisAndKeyValueDsnsArePostgres) {
    for (const char* spec : {"postgresql://app@db1:5432/optischema", "postgres://db1/optischema",
                             "host=db1 dbname=optischema", "dbname=optischema", "hostaddr=10.0.0.5 user=app",
                             "service=optischema", "user=app host = /var/run/postgresql"}) {
        SCOPED_TRACE(spec);
        const StoreLocation location = StoreLocation::Parse(spec);
        EXPECT_EQ(location.kind, Kind::kPostgres);
        EXPECT_EQ(location.value, spec);
    }
}

TEST(StoreLocationTest, PathsAreDataDirectories) {
    for (const char* spec : {"/var/lib/optischema", "data", "./host=x", "/srv/dbname=1/data", "~/.local/share/x",
                             "C:\\optischema", "postgresql", "hostname"}) {
        SCOPED_TRACE(spec);
        const StoreLocation location = StoreLocation::Parse(spec);
        EXPECT_EQ(location.kind, Kind::kSqlite);
        EXPECT_EQ(location.value, spec);
    }
}

TEST(StoreLocationTest, DisplayNeverShowsThePassword) {
    EXPECT_EQ(StoreLocation::Parse("postgresql://app:s3cret@db1:5432/optischema").Display(), "app@db1:5432/optischema");
    const std::string shown = StoreLocation::Parse("host=db1 dbname=o user=app password=s3cret").Display();
    EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
    EXPECT_EQ(StoreLocation::Parse("/var/lib/optischema").Display(), "/var/lib/optischema");
}

TEST(OpenStoreTest, ADataDirectoryGivesTheEmbeddedStoreAndLocalClaims) {
    const std::string dir =
        ::testing::TempDir() + "open_store_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed());
    auto store = OpenStore(StoreLocation::Parse(dir));
    ASSERT_TRUE(store) << store.error().ToString();
    auto target = (*store)->EnsureTarget("db", "db");
    ASSERT_TRUE(target);
    auto claims = OpenClaims(StoreLocation::Parse(dir), std::chrono::seconds(10));
    ASSERT_TRUE(claims);
    auto live = (*claims)->LiveInstances();
    ASSERT_TRUE(live);
    EXPECT_EQ(*live, 1);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace optischema::store
