"""What the 20 briefs of the seed capture hold, written out by hand from the seed text.

Shared by ``test_parse.py`` (every markup variant must give these briefs) and by
``fixtures/make_fixtures.py`` (which uses HEADLINES, EMAILS and the URLs to build the
HTML renderings). Times are Beijing time, as the page shows them.
"""

from __future__ import annotations

from typing import Any

PAGE_URL = "https://www.caixinglobal.com/business-and-tech-live/"

DING = ("Ding Yi",)
BT = "Business & Tech"


def _brief(
    published: str,
    first: str,
    last: str,
    *,
    paragraphs: int,
    authors: tuple[str, ...] = DING,
    captions: tuple[str, ...] = (),
    contacts: tuple[tuple[str, str], ...] = (("reporter", "Ding Yi"),),
    related: tuple[str, ...] = (),
    full_story: bool = False,
) -> dict[str, Any]:
    return {
        "authors": authors,
        "published": published,
        "section": BT,
        "paragraph_count": paragraphs,
        "first": first,
        "last": last,
        "captions": captions,
        "contacts": contacts,
        "related": related,
        "full_story": full_story,
    }


SEED_BRIEFS: list[dict[str, Any]] = [
    _brief(
        "2021-01-19T18:27:00+08:00",
        "Chinese display panel maker BOE Technology has announced plans to raise as much as "
        "20 billion yuan ($3 billion) by selling shares to a group of investors.",
        "Friday’s announcement comes more than a month after BOE Technology announced a plan "
        "to buy 35% of money-losing Chengdu CEC Panda Display Technology in an acquisition "
        "deal marking the latest consolidation in China’s display making industry.",
        paragraphs=5,
        related=("Display-Maker BOE Seals $1.1 Billion Deal to Buy 35% of Smaller Rival",),
    ),
    _brief(
        "2021-01-19T16:53:00+08:00",
        "Apple supplier Foxconn has reportedly obtained a license for one of its units to "
        "build a plant to make laptops and tablets in Vietnam, as the Taiwanese company moves "
        "some of its production lines to Southeast Asia and other regions to avoid higher U.S. "
        "import tariffs imposed on certain Chinese-made products.",
        "In November, Reuters reported that Foxconn was moving some iPad and MacBook assembly "
        "to Vietnam from China at the request of Apple, against the backdrop of the Trump "
        "administration targeting China-made electronics with higher import tariffs and "
        "restricting some Chinese firms’ ability to buy components made using U.S. technology.",
        paragraphs=5,
        related=("Foxconn, Geely Plan Venture to Make Cars for Other Automakers",),
    ),
    _brief(
        "2021-01-19T15:26:00+08:00",
        "The TikTok-like Kuaishou could be preparing to list on the Hong Kong Stock Exchange "
        "as early as Feb 5, people close to the deal told Caixin. The expected IPO could raise "
        "as much as $5 billion and make it the first major short-video platform to go public.",
        "“It will be an important litmus test to see the extent investors appreciate the "
        "short video phenomenon,” Michael Norris, a Shanghai-based analyst at consultancy "
        "AgencyChina told Caixin.",
        paragraphs=4,
        authors=("Anniek Bao",),
        contacts=(("editor", "Marcus Ryder"),),
        # The two related headlines carry no "Related:" prefix on the page.
        related=(
            "China’s Other TikTok-Like App Sensation Sprints Toward Hong Kong IPO",
            "In Depth: IPO-Bound TikTok Rival Kuaishou Continues to Play Second Fiddle",
        ),
        full_story=True,
    ),
    _brief(
        "2021-01-19T13:17:00+08:00",
        "U.S. electric carmaker Tesla on Monday started delivering its first Shanghai-assembled "
        "Model Y sport utility vehicles to customers in China, the latest milestone in the "
        "company’s drive to deepen its localization efforts in the world’s largest auto market.",
        "Palo Alto, California-based Tesla sees the Chinese market as a major sales driver as "
        "the country’s Ministry of Industry and Information Technology has raised sales targets "
        "for new energy vehicles, including pure electric, fuel cell and plug-in hybrid cars, "
        "to a quarter of all auto sales by 2025 from a previously planned 20%.",
        paragraphs=4,
        captions=("Photo: VCG",),
        related=(
            "In Depth: Tesla Powers On as Rival Electric-Vehicle Makers Scramble to Compete "
            "in China",
        ),
    ),
    _brief(
        "2021-01-18T18:34:00+08:00",
        "Social media platform Weibo, China’s equivalent of Twitter, has been punished for its "
        "inability to rein in pornographic content, becoming the second major Chinese social "
        "media platform in a week found guilty of spreading sexual and improper content online, "
        "as Beijing steps up efforts to clean up the country’s internet.",
        "The punishment of Weibo comes a week after the office announced that Douyin, the "
        "sister app of ByteDance’s global sensation TikTok, was fined for spreading “obscene, "
        "pornographic and vulgar information” online.",
        paragraphs=5,
        related=("Weibo’s Shares Plunge 14% After Disappointing 4Q Outlook",),
    ),
    _brief(
        "2021-01-18T17:03:00+08:00",
        "Chinese tech giant Huawei plans to set up a flagship store in Riyadh in an effort to "
        "grow the influence of its digital products and services in Saudi Arabia, as the "
        "kingdom expands access to internet services, Reuters reported on Friday, citing the "
        "country’s investment ministry.",
        "In October last year, Huawei signed a memorandum of understanding with the Saudi "
        "Authority for Data and Artificial Intelligence to help Saudi Arabia strengthen its "
        "capabilities in artificial intelligence technology, Xinhua reported. The partnership "
        "is a part of Saudi Arabia’s broader efforts to transform its economy from one driven "
        "by oil exports to one powered by technology.",
        paragraphs=4,
        related=("Huawei Plans to Put Its Harmony OS on 200 Million Devices by 2021",),
    ),
    _brief(
        "2021-01-18T12:55:00+08:00",
        "Tencent Music Entertainment Group (TME), a unit of internet giant Tencent, is "
        "expanding its business scope with a deal to buy Lazy Audio, a Chinese provider of "
        "audio entertainment including audiobooks, comedies, podcasts and radio shows.",
        "TME’s expansion into audio products comes two weeks after Alibaba announced plans to "
        "close its 12-year-old music streaming service Xiami Music in February due to "
        "difficulties securing music copyrights.",
        paragraphs=8,
        captions=("Photo: IC",),
        related=("Music Stops for Alibaba’s Xiami Streaming Service",),
    ),
    _brief(
        "2021-01-15T17:56:00+08:00",
        "Shanghai-based collaborative robot maker Jaka Robotics has raised more than 300 "
        "million yuan ($46 million) in its series C funding round, as China strives to boost "
        "smart manufacturing in various sectors amid a tech race with the U.S.",
        "In November 2019, China established a $21 billion fund to invest in companies from "
        "industries including new materials, information technology and electrical equipment "
        "with an aim to accelerate the upgrading of the country’s manufacturing industry.",
        paragraphs=4,
        related=(
            "Chinese Medical Rehabilitation Robot Maker Fourier Closes $15 Million Funding Round",
        ),
    ),
    _brief(
        "2021-01-15T14:10:00+08:00",
        "Lotus, a British sports car brand majority owned by Chinese automaker Geely, has "
        "announced a partnership with Renault’s Alpine brand to co-develop an electric sports "
        "vehicle, a move that comes as Geely heavily invests in battery-powered car research "
        "and production.",
        "In 2019, Geely said that it planned to start making Lotus-branded sports cars in a "
        "Chinese based factory, which is scheduled to be completed by 2021, a move widely "
        "believed as Geely’s intention to tap the country’s upscale market.",
        paragraphs=4,
        # A caption without credit, shown twice in a row like every caption.
        captions=("Geely owns a number of international brands including Volvo and Lotus",),
        related=("Foxconn, Geely Plan Venture to Make Cars for Other Automakers",),
    ),
    _brief(
        "2021-01-14T18:58:00+08:00",
        "Chinese sportswear maker Qiaodan Sports has changed its name to Zhongqiao Sports two "
        "weeks after a Shanghai court ruled in favor of legendary basketball player Michael "
        "Jordan in a protracted trademark case related to the company’s unauthorized use of "
        "the Chinese characters that make up Jordan’s Chinese name, Xinhua News Agency reported "
        "on Wednesday.",
        "For Jordan-related trademarks that have been used for more than five years, Qiaodan "
        "Sports must take the necessary measures to indicate that they have no connection to "
        "the former basketball star, the court ruled.",
        paragraphs=4,
        related=("Sportswear-Maker Loses Fourth Trademark in Legal Tangle With Michael Jordan",),
    ),
    _brief(
        "2021-01-14T16:42:00+08:00",
        "Visitors to the gardenlike coastal city of Zhuhai could soon be able to view the "
        "“Chinese Riviera” from a bird’s perspective, as EHang pioneers the use of self-flying "
        "people-movers for sightseeing trips in China.",
        "The Zhuhai launch is not EHang’s first attempt to explore the area of aerial "
        "sightseeing. Last month, the Nasdaq-listed company announced plans to trial a "
        "sightseeing business using two self-flying vehicles on a roughly 1 kilometer route "
        "in the scenic southern Chinese city of Zhaoqing.",
        paragraphs=5,
        captions=("Photo: VCG",),
        related=("China’s EHang Self-Flying Vehicles Set for Take Off in Austria",),
    ),
    _brief(
        "2021-01-14T12:51:00+08:00",
        "WeRide, one of China’s best-funded startups for self-driving technology, has started "
        "the New Year with a bang by closing a $310 million series B funding round led by "
        "domestic bus maker Yutong Group, continuing a funding frenzy for the industry started "
        "in 2020.",
        "As well as driverless taxis, Nissan-backed WeRide has also explored the area of "
        "self-driving buses. In December last year, WeRide announced a partnership with Yutong "
        "Group to accelerate the large-scale commercial use of fully autonomous mini buses and "
        "city buses after receiving a $200 million investment from the bus manufacturer, which "
        "is a part of the series B round.",
        paragraphs=6,
        related=("China Mulls Giving Green Light to Highway Self-Driving Car Tests",),
    ),
    _brief(
        "2021-01-13T19:00:00+08:00",
        "Nasdaq-listed Chinese video streaming firm Bilibili has reportedly confidentially "
        "filed for a secondary listing in Hong Kong, following the trend of big U.S.-listed "
        "Chinese companies like Alibaba and in making secondary listings in the city in an "
        "attempt to expand funding sources.",
        "In December, U.S. President Donald Trump signed legislation that threatened to delist "
        "companies that fail to meet American auditing standards.",
        paragraphs=5,
        related=("China Video Giant Joyy Dives After Muddy Waters Calls It a Fraud",),
    ),
    _brief(
        "2021-01-13T18:47:00+08:00",
        "A shocking case of a man who set himself on fire to protest withheld pay is shining "
        "an uneasy spotlight on China’s cutthroat takeout dining sector.",
        "The case shines a spotlight on the legions of anonymous migrants who often work under "
        "difficult conditions in China’s low-end service sector performing functions like food "
        "and parcel delivery, as well as working as staff in restaurants and shops. Such "
        "employees often work long hours, frequently without overtime pay, and have little "
        "recourse when disagreements occur with their employers.",
        paragraphs=6,
        authors=("Yang Ge",),
        contacts=(("reporter", "Yang Ge"),),
        full_story=True,  # "To read the full story, click here."
    ),
    _brief(
        "2021-01-13T17:05:00+08:00",
        "U.S. fintech giant PayPal has completed a stake acquisition deal that makes it the "
        "first foreign company to offer digital payment services in China, as Beijing vows to "
        "open up its domestic financial market to foreign investors.",
        "Despite securing 100% ownership of Gopay, some industry experts are still skeptical "
        "about PayPal’s ability to compete with Alipay and WeChat Pay, which together hold "
        "more than 90% of the Chinese online payment market.",
        paragraphs=6,
        related=("PayPal Moves Further Into China With UnionPay Partnership",),
    ),
    _brief(
        "2021-01-11T18:22:00+08:00",
        "Douyin, the sister app of ByteDance’s global sensation TikTok, has been slapped with "
        "the maximum penalty for spreading “obscene, pornographic and vulgar information” "
        "online, in the latest sign that Beijing is ramping up efforts to clean up the "
        "country’s cyberspace.",
        "In recent years, Douyin has grown from a pure video-sharing app to a social "
        "e-commerce platform with more than 600 million daily active users.",
        paragraphs=5,
        related=("Walmart and TikTok to Import Chinese-Style Livestreaming E-Commerce Stateside",),
    ),
    _brief(
        "2021-01-11T18:21:00+08:00",
        "U.S. artificial-meat maker Impossible Foods says it will slash the wholesale price of "
        "its products in global markets, including in Hong Kong and Macao, in order to compete "
        "with those made from animals.",
        "But costs are just one hurdle in the potentially lucrative Chinese mainland market for "
        "the company, which is yet to be approved on the mainland. That’s despite American "
        "competitor Beyond Meat already selling its products at some of China’s most popular "
        "fast-food chains.",
        paragraphs=4,
        authors=("Anniek Bao",),
        contacts=(("reporter", "Anniek Bao"), ("editor", "Flynn Murphy")),
        full_story=True,
    ),
    _brief(
        "2021-01-11T16:25:00+08:00",
        "Chinese electric vehicle startup Nio has expanded its product lineup by launching its "
        "first sedan model featuring intelligent driving capabilities.",
        "Nio delivered 43,728 vehicles in 2020, more than double the number from a year ago, "
        "according to a statement released earlier this month. The company has recently "
        "launched a used vehicle trading platform in an effort to enhance user stickiness and "
        "brand loyalty.",
        paragraphs=6,
        related=("Nio Starts Trade-In Deals to Boost Customer Loyalty, Sales",),
    ),
    _brief(
        "2021-01-11T14:45:00+08:00",
        "Beijing has stepped up efforts to regulate China’s tech giants as they attempt to "
        "clamp down on unfair competition and increase antitrust legislation.",
        "Far from isolated cases, the two form part of a broader trend which saw the State "
        "Administration for Market Regulation (SAMR) fine Alibaba 500,000 yuan ($76,500) for "
        "failing to seek approval before increasing its stake in department store chain Intime "
        "Retail Group Co. Ltd. to about three-quarters in 2017. China Literature Ltd., the "
        "e-books business spun off by Tencent Holdings Ltd., was also fined over a previous "
        "purchase.",
        paragraphs=3,
        authors=("Qian Tong", "Yuan Ruiyang", "Han Wei"),
        contacts=(("reporter", "Han Wei"), ("editor", "Bob Simison")),
        # The page shows a trailing no-break space after "Acquisitions"; not part of the title.
        related=("In Depth - China Applies Closer Scrutiny to Sprawling Tech Acquisitions",),
        full_story=True,  # "Read the full story here" without a period
    ),
    _brief(
        "2021-01-11T12:58:00+08:00",
        "Chinese search giant Baidu, which has invested in self-driving technologies for "
        "several years, is driving more directly into car manufacturing with plans to make "
        "intelligent electric vehicles with domestic automaker Geely.",
        "The new development could also help the financial fortunes of Baidu’s Apollo "
        "platform, which specializes in autonomous driving technology. In 2017, Baidu created "
        "Apollo, which gives third-party partners access to key technologies for autonomous "
        "driving. The company also operates its Go Robotaxi service in several Chinese cities "
        "with plans to expand it to 30 cities in three years.",
        paragraphs=4,
        related=("Roads to Nowhere Cost Baidu $10 Million in Mapping Dispute",),
    ),
]

#: Plausible headlines for the HTML renderings (the text capture has none), in page order.
HEADLINES: list[str] = [
    "BOE Plans $3 Billion Share Sale to Fund New AMOLED Line",
    "Foxconn Unit Gets License for $270 Million Laptop Plant in Vietnam",
    "Kuaishou Could List in Hong Kong as Early as Feb. 5",
    "Tesla Starts Delivering Shanghai-Made Model Y",
    "Weibo Punished for Failing to Rein In Pornographic Content",
    "Huawei to Open Its Largest Overseas Flagship Store in Riyadh",
    "Tencent Music Buys Lazy Audio for $416 Million",
    "Jaka Robotics Raises $46 Million in Series C Round",
    "Geely’s Lotus Teams Up With Renault’s Alpine on Electric Sports Car",
    "Qiaodan Sports Renames Itself After Losing Michael Jordan Case",
    "EHang to Fly Sightseers Over Zhuhai in Self-Flying Aircraft",
    "WeRide Closes $310 Million Series B Round Led by Yutong",
    "Bilibili Confidentially Files for Hong Kong Secondary Listing",
    "Takeout Rider Sets Himself on Fire Over Withheld Pay",
    "PayPal Becomes Sole Owner of Chinese Payment Firm Gopay",
    "Douyin Hit With Maximum Penalty Over Vulgar Content",
    "Impossible Foods Slashes Prices to Take On Real Meat",
    "Nio Unveils ET7, Its First Sedan",
    "Regulators Step Up Scrutiny of Tech Giants’ Deals",
    "Baidu Teams Up With Geely to Build Smart Electric Cars",
]

#: E-mail addresses the richest rendering puts behind the contact links.
EMAILS: dict[str, str] = {
    "Ding Yi": "dingyi@caixin.com",
    "Marcus Ryder": "marcusryder@caixin.com",
    "Yang Ge": "yangge@caixin.com",
    "Anniek Bao": "anniekbao@caixin.com",
    "Flynn Murphy": "flynnmurphy@caixin.com",
    "Han Wei": "weihan@caixin.com",
    "Bob Simison": "bobsimison@caixin.com",
}

#: Article URLs (absolute) behind every related headline, by title. The renderings write them
#: absolute, protocol-relative (``//www.caixinglobal.com/...``) or root-relative in turn.
RELATED_URLS: dict[str, str] = {
    "Display-Maker BOE Seals $1.1 Billion Deal to Buy 35% of Smaller Rival": "https://www.caixinglobal.com/2020-12-01/display-maker-boe-seals-11-billion-deal-101634301.html",
    "Foxconn, Geely Plan Venture to Make Cars for Other Automakers": "https://www.caixinglobal.com/2021-01-14/foxconn-geely-plan-venture-101650219.html",
    "China’s Other TikTok-Like App Sensation Sprints Toward Hong Kong IPO": "https://www.caixinglobal.com/2021-01-19/chinas-other-tiktok-like-app-101652305.html",
    "In Depth: IPO-Bound TikTok Rival Kuaishou Continues to Play Second Fiddle": "https://www.caixinglobal.com/2020-11-25/in-depth-ipo-bound-kuaishou-101632456.html",
    "In Depth: Tesla Powers On as Rival Electric-Vehicle Makers Scramble to Compete in China": "https://www.caixinglobal.com/2021-01-08/in-depth-tesla-powers-on-101648811.html",
    "Weibo’s Shares Plunge 14% After Disappointing 4Q Outlook": "https://www.caixinglobal.com/2019-11-20/weibos-shares-plunge-101485302.html",
    "Huawei Plans to Put Its Harmony OS on 200 Million Devices by 2021": "https://www.caixinglobal.com/2020-12-16/huawei-harmony-os-101640021.html",
    "Music Stops for Alibaba’s Xiami Streaming Service": "https://www.caixinglobal.com/2021-01-06/music-stops-for-xiami-101647630.html",
    "Chinese Medical Rehabilitation Robot Maker Fourier Closes $15 Million Funding Round": "https://www.caixinglobal.com/2020-09-01/fourier-closes-funding-101598650.html",
    "Sportswear-Maker Loses Fourth Trademark in Legal Tangle With Michael Jordan": "https://www.caixinglobal.com/2020-04-23/sportswear-maker-loses-trademark-101547291.html",
    "China’s EHang Self-Flying Vehicles Set for Take Off in Austria": "https://www.caixinglobal.com/2020-09-15/ehang-austria-101605122.html",
    "China Mulls Giving Green Light to Highway Self-Driving Car Tests": "https://www.caixinglobal.com/2021-01-12/highway-self-driving-tests-101649604.html",
    "China Video Giant Joyy Dives After Muddy Waters Calls It a Fraud": "https://www.caixinglobal.com/2020-11-19/joyy-muddy-waters-101630112.html",
    "PayPal Moves Further Into China With UnionPay Partnership": "https://www.caixinglobal.com/2020-03-09/paypal-unionpay-101526610.html",
    "Walmart and TikTok to Import Chinese-Style Livestreaming E-Commerce Stateside": "https://www.caixinglobal.com/2020-12-17/walmart-tiktok-livestreaming-101640789.html",
    "Nio Starts Trade-In Deals to Boost Customer Loyalty, Sales": "https://www.caixinglobal.com/2021-01-05/nio-trade-in-101647040.html",
    "In Depth - China Applies Closer Scrutiny to Sprawling Tech Acquisitions": "https://www.caixinglobal.com/2021-01-11/in-depth-china-applies-closer-scrutiny-101649104.html",
    "Roads to Nowhere Cost Baidu $10 Million in Mapping Dispute": "https://www.caixinglobal.com/2020-12-29/roads-to-nowhere-baidu-101644862.html",
}

#: Full-story URLs (absolute) by brief position, for the briefs that have a full-story line.
FULL_STORY_URLS: dict[int, str] = {
    2: "https://www.caixinglobal.com/2021-01-19/kuaishou-ipo-feb-5-101652280.html",
    13: "https://www.caixinglobal.com/2021-01-13/takeout-rider-self-immolation-101649990.html",
    16: "https://www.caixinglobal.com/2021-01-11/impossible-foods-price-cuts-101649310.html",
    18: "https://www.caixinglobal.com/2021-01-11/regulators-tech-deals-101649102.html",
}
