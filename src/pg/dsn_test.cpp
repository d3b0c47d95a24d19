#include "pg/dsn.hpp"

#include <gtest/gtest.h>

namespace optischema::pg {
namespace {

TEST(DsnTest, AcceptsUriAndKeyValue) {
    EXPECT_TRUE(ValidateDsn("postgresql://app:secret@db.example.com:6432/shop?sslmode=require"));
    EXPECT_TRUE(ValidateDsn("host=localhost port=5432 dbname=shop user=app"));
    EXPECT_TRUE(ValidateDsn(""));  // libpq defaults and PG* environment variables
}

TEST(DsnTest, RejectsMalformedWithAdvice) {
    auto r = ValidateDsn("host=localhost dbname");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("malformed DSN"), std::string::npos);
    EXPECT_NE(r.error().message.find("postgresql://"), std::string::npos);

    auto bad_uri = ValidateDsn("postgresql://host:notaport/db");
    EXPECT_FALSE(bad_uri);
    auto unknown = ValidateDsn("hots=localhost");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("hots"), std::string::npos);
}

TEST(DsnTest, MalformedDsnErrorsNeverEchoThePassword) {
    // libpq quotes the offending token or the whole URI; neither may reach a log or a response.
    for (const std::string dsn :
         {"postgresql://app:s3%zzt@db/shop", "postgresql://app:s3cr3t@[db/shop", "host=db password='s3cr3t",
          // A quote inside the password cannot shift what is hidden.
          "postgresql://app:s3\"x%zz@db/shop", "postgresql://app:s3\"x\"y%zz@db/shop", "postgresql://app:\"s3\"@db:x/shop",
          // A stray word is not a key.
          "host=db user=app s3cr3t", "host=db s3\"cr3t"}) {
        auto r = ValidateDsn(dsn);
        ASSERT_FALSE(r) << dsn;
        EXPECT_EQ(r.error().message.find("s3"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("malformed DSN"), std::string::npos);
    }
    auto missing = ValidateDsn("host=db password=s3cr3t dbname");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("\"dbname\""), std::string::npos) << missing.error().message;
}

TEST(DsnTest, RedactionDropsThePassword) {
    const std::string uri = RedactDsn("postgresql://app:s3cr3t@db.example.com:6432/shop");
    EXPECT_EQ(uri, "app@db.example.com:6432/shop");
    const std::string kv = RedactDsn("host=db port=5432 dbname=shop user=app password=s3cr3t");
    EXPECT_EQ(kv.find("s3cr3t"), std::string::npos);
    EXPECT_EQ(kv, "app@db:5432/shop");
    EXPECT_EQ(RedactDsn(""), "(libpq defaults)");
    EXPECT_EQ(RedactDsn("password=x nonsense"), "(malformed DSN)");
}

}  // namespace
}  // namespace optischema::pg
