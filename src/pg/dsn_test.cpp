#include "pg/dsn.hpp"

#include <cstdlib>

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

TEST(DsnTest, UntrustedDsnsMayNotUseKeywordsThatReachTheServersOwnFiles) {
    for (const auto keyword : kServerSideDsnKeywords) {
        if (!IsLibpqKeyword(keyword)) continue;  // sslkeylogfile, servicefile: newer libpq only
        const std::string dsn = "host=db dbname=shop " + std::string(keyword) + "=/tmp/x";
        auto refused = CheckUntrustedDsn(dsn, {}, "[security] api_dsn_keywords");
        ASSERT_FALSE(refused) << keyword;
        EXPECT_NE(refused.error().message.find("sets " + std::string(keyword) + ","), std::string::npos)
            << refused.error().message;
        EXPECT_NE(refused.error().message.find("[security] api_dsn_keywords"), std::string::npos);
        EXPECT_TRUE(CheckUntrustedDsn(dsn, {std::string(keyword)}, "")) << "allowed by name: " << keyword;
    }
    EXPECT_TRUE(CheckUntrustedDsn("postgresql://app:pw@db:5432/shop?sslmode=require&requiressl=1", {}, ""));
    EXPECT_FALSE(CheckUntrustedDsn("postgresql://db/shop?hostaddr=10.0.0.9", {}, ""));
    EXPECT_FALSE(CheckUntrustedDsn("host=db dbname", {}, "")) << "malformed";
}

TEST(DsnTest, AConfinedDsnKeepsItsOwnSettingsAndNoneOfTheServers) {
    unsetenv("PGSERVICE");
    auto confined = ConfineUntrustedDsn("postgresql://app@db:6432/shop?sslmode=require&application_name=it's");
    ASSERT_TRUE(confined) << confined.error().message;
    EXPECT_TRUE(ValidateDsn(*confined)) << *confined;
    EXPECT_NE(confined->find("host='db'"), std::string::npos) << *confined;
    EXPECT_NE(confined->find("port='6432'"), std::string::npos);
    EXPECT_NE(confined->find("application_name='it\\'s'"), std::string::npos) << *confined;
    EXPECT_NE(confined->find("passfile='/dev/null/"), std::string::npos);
    EXPECT_NE(confined->find("password=''"), std::string::npos);
    EXPECT_NE(confined->find("sslcert='/dev/null/"), std::string::npos);
    EXPECT_NE(confined->find("sslkey='/dev/null/"), std::string::npos);
    auto own = ConfineUntrustedDsn("host=db password=pw sslcert=/etc/c sslkey=/etc/k");
    ASSERT_TRUE(own);
    EXPECT_NE(own->find("password='pw'"), std::string::npos) << *own;
    EXPECT_EQ(own->find("password=''"), std::string::npos) << *own;
    EXPECT_NE(own->find("sslcert='/etc/c'"), std::string::npos);
    EXPECT_EQ(own->find("/dev/null/optischema-untrusted-dsn' sslcert"), std::string::npos);
}

}  // namespace
}  // namespace optischema::pg
