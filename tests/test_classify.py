"""Tests of feedsvc.classify: slugs, keyword topics, feed membership, the default topics."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsvc import classify
from feedsvc.classify import ALL_FEED, Classifier, reporter_slug, slugify
from feedsvc.config import CustomFeedRule, TopicRule, settings_from_dict
from feedsvc.errors import ConfigError
from feedsvc.model import Brief, Contact, FeedSpec, RelatedLink, Topic

BEIJING = timezone(timedelta(hours=8))
DEFAULT_TOPICS = Path(classify.__file__).with_name("default_topics.toml")
SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def brief(
    *paragraphs: str,
    title: str = "",
    authors: tuple[str, ...] = ("Ding Yi",),
    section: str = "Business & Tech",
    captions: tuple[str, ...] = (),
    related: tuple[str, ...] = (),
    contacts: tuple[Contact, ...] = (),
) -> Brief:
    return Brief(
        title=title or (paragraphs[0][:60] if paragraphs else "A brief"),
        title_source="derived",
        authors=authors,
        published_at=datetime(2021, 1, 19, 18, 27, tzinfo=BEIJING),
        section=section,
        paragraphs=paragraphs,
        captions=captions,
        contacts=contacts,
        related=tuple(RelatedLink(r) for r in related),
    )


def slugs(topics: tuple[Topic, ...]) -> list[str]:
    return [t.slug for t in topics]


# --- the 20 briefs of business-and-tech-live, captured 2021-01-19 ---------------------------
# /work/shared/seed/business-and-tech-live.txt without the page chrome; split into briefs by
# a few lines below (the real parser is another stage's job and not under test here).

SEED_NAMES = (
    "boe",
    "foxconn",
    "kuaishou",
    "tesla",
    "weibo",
    "huawei",
    "tme",
    "jaka",
    "lotus",
    "qiaodan",
    "ehang",
    "weride",
    "bilibili",
    "fengniao",
    "paypal",
    "douyin",
    "impossible",
    "nio",
    "antitrust",
    "baidu",
)

SEED_TEXT = """
Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech

Chinese display panel maker BOE Technology has announced plans to raise as much as 20 billion yuan ($3 billion) by selling shares to a group of investors.

About 35% of the capital raised from the planned share sale will be used to build a new production line in Chongqing responsible for making the sixth-generation active matrix organic light-emitting diode (AMOLED) panels used in electronic products from smartphones to laptops. In addition, a plant in Yunnan will produce 12-inch organic light-emitting diode (OLED) panels, BOE Technology said in a stock filing on Friday.

AMOLED manufacturing has been listed by the Chinese government as one of the country’s strategic emerging industries as an increasing number of makers of smartphones, virtual reality devices and intelligent wearables use AMOLED display panels.

Approximately 33% of the funds will be allocated for the purchase of a 24% stake in Wuhan BOE Optoelectronics Technology, of which BOE Technology now controls 23%. The rest of the funds will be used to repay loans, replenish working capital and build a digital hospital in Chengdu, according to filing.

Friday’s announcement comes more than a month after BOE Technology announced a plan to buy 35% of money-losing Chengdu CEC Panda Display Technology in an acquisition deal marking the latest consolidation in China’s display making industry.

Contact reporter Ding Yi (

Related: Display-Maker BOE Seals $1.1 Billion Deal to Buy 35% of Smaller Rival

Ding Yi / Jan 19, 2021 04:53 PM / Business & Tech

Apple supplier Foxconn has reportedly obtained a license for one of its units to build a plant to make laptops and tablets in Vietnam, as the Taiwanese company moves some of its production lines to Southeast Asia and other regions to avoid higher U.S. import tariffs imposed on certain Chinese-made products.

The $270 million factory is projected to have an annual production capacity of eight million units, will be developed by Fukang Technology and built in the northern province of Bac Giang, Reuters reported on Monday, citing Vietnamese authorities.

The report did not reveal when the plant will begin production.

Foxconn has so far invested $1.5 billion in Vietnam and plans to recruit 10,000 more local workers this year, according to the Vietnamese government.

In November, Reuters reported that Foxconn was moving some iPad and MacBook assembly to Vietnam from China at the request of Apple, against the backdrop of the Trump administration targeting China-made electronics with higher import tariffs and restricting some Chinese firms’ ability to buy components made using U.S. technology.

Contact reporter Ding Yi (

Related: Foxconn, Geely Plan Venture to Make Cars for Other Automakers

Anniek Bao / Jan 19, 2021 03:26 PM / Business & Tech

The TikTok-like Kuaishou could be preparing to list on the Hong Kong Stock Exchange as early as Feb 5, people close to the deal told Caixin. The expected IPO could raise as much as $5 billion and make it the first major short-video platform to go public.

The world’s second largest short-video app counted some 262 million daily active users (DAUs) during the three quarters ending September last year, fewer than half the user total for ByteDance’s Douyin – TikTok’s sister app in China – which boasted more than 600 million DAUs last August.

Kuishou, whose largest shareholder is tech giant Tencent Holdings, plans to raise up to $5 billion from the listing, which would give it a valuation of between $40 billion and $50 billion.

“It will be an important litmus test to see the extent investors appreciate the short video phenomenon,” Michael Norris, a Shanghai-based analyst at consultancy AgencyChina told Caixin.

Read the full story here.

Contact editor Marcus Ryder (

China’s Other TikTok-Like App Sensation Sprints Toward Hong Kong IPO

In Depth: IPO-Bound TikTok Rival Kuaishou Continues to Play Second Fiddle

By Ding Yi / Jan 19, 2021 01:17 PM / Business & Tech

Photo: VCG

Photo: VCG

U.S. electric carmaker Tesla on Monday started delivering its first Shanghai-assembled Model Y sport utility vehicles to customers in China, the latest milestone in the company’s drive to deepen its localization efforts in the world’s largest auto market.

The Model Y is the second locally-produced model Tesla has sold in China after the Model 3 sedan, which the company started delivering locally a year ago. In 2020, the domestically-built Model 3 was China’s most popular electric vehicle with 137,459 cars sold in the country, according to the China Passenger Car Association.

Earlier this month, Tesla cut its prices for the long-range and performance versions of the China-made Model Y by nearly 150,000 yuan ($23,100) and 160,000 yuan respectively, a pricing strategy that many analysts interpreted as a way to hit back against Chinese rivals including Nio, Xpeng and Li Auto, which all reported strong gains in deliveries in the past several months.

Palo Alto, California-based Tesla sees the Chinese market as a major sales driver as the country’s Ministry of Industry and Information Technology has raised sales targets for new energy vehicles, including pure electric, fuel cell and plug-in hybrid cars, to a quarter of all auto sales by 2025 from a previously planned 20%.

Contact reporter Ding Yi (

Related: In Depth: Tesla Powers On as Rival Electric-Vehicle Makers Scramble to Compete in China

Ding Yi / Jan 18, 2021 06:34 PM / Business & Tech

Social media platform Weibo, China’s equivalent of Twitter, has been punished for its inability to rein in pornographic content, becoming the second major Chinese social media platform in a week found guilty of spreading sexual and improper content online, as Beijing steps up efforts to clean up the country’s internet.

Investigation results show that a number of registered Weibo users posted pornographic photo stories on the platform between December 2018 and December 2020, according to a statement released on Friday by the National Office Against Pornographic and Illegal Publication.

The statement also revealed criminal cases broken in the past year, in which people used the Weibo platform to sell pornographic products.

As of September, Weibo had 511 million monthly active users, an increase of 14 million year-on-year, according to the company.

The punishment of Weibo comes a week after the office announced that Douyin, the sister app of ByteDance’s global sensation TikTok, was fined for spreading “obscene, pornographic and vulgar information” online.

Contact reporter Ding Yi (

Related: Weibo’s Shares Plunge 14% After Disappointing 4Q Outlook

Ding Yi / Jan 18, 2021 05:03 PM / Business & Tech

Chinese tech giant Huawei plans to set up a flagship store in Riyadh in an effort to grow the influence of its digital products and services in Saudi Arabia, as the kingdom expands access to internet services, Reuters reported on Friday, citing the country’s investment ministry.

Huawei has signed a leasing agreement with Saudi Arabia’s Kaden Investment for the store which will be the largest Huawei store outside its home market, the Ministry of Investment said in a statement, without providing details on the opening date.

The news comes against the backdrop of the Middle Eastern country aiming to increase the percentage of its population who is able to enjoy internet services to 82.6% in 2022 from 73.2% in 2017, the statement added.

In October last year, Huawei signed a memorandum of understanding with the Saudi Authority for Data and Artificial Intelligence to help Saudi Arabia strengthen its capabilities in artificial intelligence technology, Xinhua reported. The partnership is a part of Saudi Arabia’s broader efforts to transform its economy from one driven by oil exports to one powered by technology.

Contact reporter Ding Yi (

Related: Huawei Plans to Put Its Harmony OS on 200 Million Devices by 2021

By Ding Yi / Jan 18, 2021 12:55 PM / Business & Tech

Photo: IC

Photo: IC

Tencent Music Entertainment Group (TME), a unit of internet giant Tencent, is expanding its business scope with a deal to buy Lazy Audio, a Chinese provider of audio entertainment including audiobooks, comedies, podcasts and radio shows.

New York-listed TME has agreed to acquire 100% of Shenzhen Lanren Online Technology, owner of Lazy Audio, for 2.7 billion yuan ($416 million), according to a company statement released on Friday.

The deal, which is expected to close in the first half of this year, will be largely paid for with cash, and Lazy Audio’s management team will get post-acquisition equity-settled awards, the statement said.

TME’s stock closed up 2.35% at $22.21 on Friday.

The announcement comes as TME deepens its strategic partnerships with some of the world’s most famous record labels like Universal Music Group for rights to distribute their music content across its music streaming platforms including QQ Music, Kugou Music, Kuwo Music as well as its online karaoke platform WeSing.

Nine-year-old Lazy Audio makes money through a number of channels including offering premium content, subscriptions and advertising, and boasts “strong user interactions and engagement,” according to the statement.

“Lazy Audio’s catalog is set to expand our audio content library, and its recording capacity will significantly boost our production of audiobooks,” said TME CEO Cussion Pang.

TME’s expansion into audio products comes two weeks after Alibaba announced plans to close its 12-year-old music streaming service Xiami Music in February due to difficulties securing music copyrights.

Contact reporter Ding Yi (

Related: Music Stops for Alibaba’s Xiami Streaming Service

Ding Yi / Jan 15, 2021 05:56 PM / Business & Tech

Shanghai-based collaborative robot maker Jaka Robotics has raised more than 300 million yuan ($46 million) in its series C funding round, as China strives to boost smart manufacturing in various sectors amid a tech race with the U.S.

Jaka will use the capital raised from the round, which was led by CITIC Private Equity Funds Management and State Development & Investment Corp., to upgrade its products, improve its customer service system and accelerate its global expansion, the company said in a statement released on Thursday.

Founded in 2014, Jaka has rolled out four series of collaborative robots which are used in various industries ranging from car manufacturing to logistics, according to its website. Eyeing global markets, the startup has opened a technology research center in Japan and said it plans to build more branches in other countries and regions to meet local demand.

In November 2019, China established a $21 billion fund to invest in companies from industries including new materials, information technology and electrical equipment with an aim to accelerate the upgrading of the country’s manufacturing industry.

Contact reporter Ding Yi (

Related: Chinese Medical Rehabilitation Robot Maker Fourier Closes $15 Million Funding Round

By Ding Yi / Jan 15, 2021 02:10 PM / Business & Tech

Geely owns a number of international brands including Volvo and Lotus

Geely owns a number of international brands including Volvo and Lotus

Lotus, a British sports car brand majority owned by Chinese automaker Geely, has announced a partnership with Renault’s Alpine brand to co-develop an electric sports vehicle, a move that comes as Geely heavily invests in battery-powered car research and production.

The two partners will conduct a feasibility study for the joint engineering, design and development of the car by leveraging their respective resources, expertise and facilities, Lotus said in a statement on Thursday.

The statement did not provide details about the electric sports car, but many auto media outlets said that the partnership with Alpine, which has a strong motorsports pedigree in rallying and endurance racing, could be seen as a major step in Lotus’ plans to expand its electric vehicle offering.

In 2019, Geely said that it planned to start making Lotus-branded sports cars in a Chinese based factory, which is scheduled to be completed by 2021, a move widely believed as Geely’s intention to tap the country’s upscale market.

Contact reporter Ding Yi (

Related: Foxconn, Geely Plan Venture to Make Cars for Other Automakers

Ding Yi / Jan 14, 2021 06:58 PM / Business & Tech

Chinese sportswear maker Qiaodan Sports has changed its name to Zhongqiao Sports two weeks after a Shanghai court ruled in favor of legendary basketball player Michael Jordan in a protracted trademark case related to the company’s unauthorized use of the Chinese characters that make up Jordan’s Chinese name, Xinhua News Agency reported on Wednesday.

In 2012, Jordan sued Fujian-based Qiaodan Sports for building its business and brand around his Chinese name and famous jersey number “23” without his permission, and applied to China’s Trademark Review and Adjudication Board for the revocation of 78 disputed trademarks.

On December 30, the Shanghai No. 2 Intermediate People’s Court ruled that Qiaodan Sports must stop using “Qiaodan”, the Chinese translation of Jordan, in its corporate name and product trademarks, issue a public apology in print and online to clarify it has no ties with him and compensate the star 300,000 yuan ($46,400) for emotional damage, according to the Xinhua report.

For Jordan-related trademarks that have been used for more than five years, Qiaodan Sports must take the necessary measures to indicate that they have no connection to the former basketball star, the court ruled.

Contact reporter Ding Yi (

Related: Sportswear-Maker Loses Fourth Trademark in Legal Tangle With Michael Jordan

By Ding Yi / Jan 14, 2021 04:42 PM / Business & Tech

Photo: VCG

Photo: VCG

Visitors to the gardenlike coastal city of Zhuhai could soon be able to view the “Chinese Riviera” from a bird’s perspective, as EHang pioneers the use of self-flying people-movers for sightseeing trips in China.

Guangzhou-based EHang has signed agreements with three local companies to jointly launch a sightseeing business using its futuristic-looking autonomous aerial vehicles in Zhuhai, a popular tourist destination located on the western cusp of the Pearl River Delta adjacent to Hong Kong and Macau, according to a company statement on Tuesday.

In 2019 the State Council, China’s cabinet, issued guidelines to develop the Guangdong-Hong Kong-Macau Greater Bay Area that covers nine cities in Guangdong, of which Zhuhai is one, with a specific focus on encouraging tech innovation.

Tuesday’s announcement comes as EHang pushes forward with its plans to develop its ambitious urban air mobility project that focuses on aerial sightseeing, passenger transport, island hopping and aerial logistics.

The Zhuhai launch is not EHang’s first attempt to explore the area of aerial sightseeing. Last month, the Nasdaq-listed company announced plans to trial a sightseeing business using two self-flying vehicles on a roughly 1 kilometer route in the scenic southern Chinese city of Zhaoqing.

Contact reporter Ding Yi (

Related: China’s EHang Self-Flying Vehicles Set for Take Off in Austria

By Ding Yi / Jan 14, 2021 12:51 PM / Business & Tech

WeRide, one of China’s best-funded startups for self-driving technology, has started the New Year with a bang by closing a $310 million series B funding round led by domestic bus maker Yutong Group, continuing a funding frenzy for the industry started in 2020.

The round, consisting of three tranches, was also joined by CMC Capital Partners, CDB Equipment Manufacturing Fund, Hengjian Emerging Industries Fund, Zhuhai Huajin Capital and Tryin Capital, as well as existing investors Qiming Venture Partners, Sinovation Ventures and Kinzon Capital, WeRide said in a statement on Thursday.

The new funding comes as Beijing relaxes its approach to approving road tests and operations for pilotless vehicles amid a drive to build an intelligent transportation system. Earlier this week, the Ministry of Industry and Information Technology released a draft plan allowing eligible autonomous cars to apply for tests on highways in response to growing demand from the industry.

Highways are considered one of the most viable scenarios where self-driving vehicles could be deployed for commercial use due to their less complex road conditions.

In 2019, WeRide launched what it called China’s first “robotaxi” pilot program in the Southern Chinese city of Guangzhou. That program has provided nearly 150,000 autonomous rides for more than 60,000 passengers as of the end of 2020.

As well as driverless taxis, Nissan-backed WeRide has also explored the area of self-driving buses. In December last year, WeRide announced a partnership with Yutong Group to accelerate the large-scale commercial use of fully autonomous mini buses and city buses after receiving a $200 million investment from the bus manufacturer, which is a part of the series B round.

Contact reporter Ding Yi (

Related: China Mulls Giving Green Light to Highway Self-Driving Car Tests

Ding Yi / Jan 13, 2021 07:00 PM / Business & Tech

Nasdaq-listed Chinese video streaming firm Bilibili has reportedly confidentially filed for a secondary listing in Hong Kong, following the trend of big U.S.-listed Chinese companies like Alibaba and in making secondary listings in the city in an attempt to expand funding sources.

Bilibili submitted the application within the last few days, CNBC reported on Tuesday, citing a source familiar with the matter. Pricing details are expected to follow in the coming weeks.

Last week, CNBC reported that the Hong Kong listing could raise more than $2 billion for Bilibili, which is pumping money into its persistent effort to transform into a platform not only for animation fans, the initial users of its services, but also for moviegoers, gamers and merchants.

Bilibili had no immediate comment on the issue when contacted by Caixin.

In December, U.S. President Donald Trump signed legislation that threatened to delist companies that fail to meet American auditing standards.

Contact reporter Ding Yi (

Related: China Video Giant Joyy Dives After Muddy Waters Calls It a Fraud

Yang Ge / Jan 13, 2021 06:47 PM / Business & Tech

A shocking case of a man who set himself on fire to protest withheld pay is shining an uneasy spotlight on China’s cutthroat takeout dining sector.

Details are coming from several sources, including social media posts that appear to come from a local government source and from a person seeking to raise funds for the victim’s medical treatment. Collectively, they paint a picture of a man who resorted to his drastic action after finding little recourse when his employer failed to pay him for what he called his “blood and sweat.”

The man worked for Fengniao, a subsidiary of, which is itself owned by e-commerce giant Alibaba. He resorted to his action on Monday outside a shop in the eastern city of Taizhou after his employer reportedly failed to pay him for some of his past work. The employer was withholding pay from numerous workers, a local government website said, in a bid to entice them to stay in the face of a seasonal labor shortage.

The man initially refused to go to the hospital after people put out the flames, saying he wanted to resolve his dispute first. A post by a woman saying she was his daughter later appeared online, saying he had suffered burns to 80% of his body, including second- and third-degree burns and burns to his airways. The attached plea had raised 500,000 yuan ($77,343) in its first day for the man’s treatment.

An representative didn’t deny that the incident occurred, but had no further comment.

The case shines a spotlight on the legions of anonymous migrants who often work under difficult conditions in China’s low-end service sector performing functions like food and parcel delivery, as well as working as staff in restaurants and shops. Such employees often work long hours, frequently without overtime pay, and have little recourse when disagreements occur with their employers.

To read the full story, click here.

Contact reporter Yang Ge (

Ding Yi / Jan 13, 2021 05:05 PM / Business & Tech

U.S. fintech giant PayPal has completed a stake acquisition deal that makes it the first foreign company to offer digital payment services in China, as Beijing vows to open up its domestic financial market to foreign investors.

PayPal acquired a 30% stake in Gopay, a Chinese provider of electronic payment services, a little more than a year after its purchase of 70% of Gopay, making it the sole owner, the state-owned newspaper Economic Information Daily reported on Tuesday.

Taking full control of an indigenous firm achieves PayPal’s ambition of competing in a market dominated by Alibaba’s Alipay and Tencent’s WeChat Pay just as the government tightens oversight of internet finance and promises to tackle monopolistic practices.

In August last year, PayPal named Chinese fintech executive Hannah Qiu as senior vice president and chief of the China region, responsible for formulating PayPal’s long-term growth strategy in the world’s second-largest economy.

The appointment came seven months after PayPal partnered with China’s state-owned bank card issuer UnionPay in a deal that would give some UnionPay cardholders access to PayPal’s network.

Despite securing 100% ownership of Gopay, some industry experts are still skeptical about PayPal’s ability to compete with Alipay and WeChat Pay, which together hold more than 90% of the Chinese online payment market.

Contact reporter Ding Yi (

Related: PayPal Moves Further Into China With UnionPay Partnership

Ding Yi / Jan 11, 2021 06:22 PM / Business & Tech

Douyin, the sister app of ByteDance’s global sensation TikTok, has been slapped with the maximum penalty for spreading “obscene, pornographic and vulgar information” online, in the latest sign that Beijing is ramping up efforts to clean up the country’s cyberspace.

The fine came after internet watchdogs received more than 900 reports of pornographic and vulgar content being circulated on Douyin last year, the National Office Against Pornographic and Illegal Publications said in a statement on Friday.

Among Douyin livestreamers’ actions that were deemed improper, the statement mentioned smoking and foul language, as well sexually provocative and suggestive behavior. It said that some influencers posted their WeChat account IDs and QR codes directing viewers to other platforms to conduct illegal transactions.

Douyin has been expanding its content moderation team and said that it blocked more than 1 million accounts for promoting erotic content on its platform last year.

In recent years, Douyin has grown from a pure video-sharing app to a social e-commerce platform with more than 600 million daily active users.

Contact reporter Ding Yi (

Related: Walmart and TikTok to Import Chinese-Style Livestreaming E-Commerce Stateside

By Anniek Bao / Jan 11, 2021 06:21 PM / Business & Tech

U.S. artificial-meat maker Impossible Foods says it will slash the wholesale price of its products in global markets, including in Hong Kong and Macao, in order to compete with those made from animals.

The firm will first cut its wholesale prices in the U.S. by an average of 15% before rolling out “double-digit international price cuts” later this month in other markets, though it did not provide specific details of the cuts for distributors outside the U.S.

High costs are thought to have been a barrier to the widespread take up of meat alternatives, and in Hong Kong, the privately-held firm sells a 340-gram (12 ounce) pack of imitation beef for HK$89.9 ($11.60), twice as much as the real thing.

But costs are just one hurdle in the potentially lucrative Chinese mainland market for the company, which is yet to be approved on the mainland. That’s despite American competitor Beyond Meat already selling its products at some of China’s most popular fast-food chains.

Read the full story here.

Contact reporter Anniek Bao ( and editor Flynn Murphy (

By Ding Yi / Jan 11, 2021 04:25 PM / Business & Tech

Chinese electric vehicle startup Nio has expanded its product lineup by launching its first sedan model featuring intelligent driving capabilities.

The sedan model, named the ET7, will be equipped with lidar sensors capable of detecting objects in the car’s surroundings to a radius of about 500 meters, a Nvidia chips-powered supercomputer featuring computing power of 1016 trillion operations per second, and a digital cockpit platform developed by Qualcomm.

The ET7, which is due to be delivered from 2022, expects to use battery technology which will enable the car to run for more than 1,000 kilometers on a single charge.

Target rivals of the ET7, costing upwards of 448,000 yuan ($69,000) before subsidies, will include BMW’s 5-series, Audi’s A6 and Mercedes-Benz E-class sedans, according to Nio CEO Li Bin.

The new car’s launch comes as Nio ramps up its production capacity to meet growing demand in China. The automaker has said that it will be able to make 7,500 vehicles per month by the end of January.

Nio delivered 43,728 vehicles in 2020, more than double the number from a year ago, according to a statement released earlier this month. The company has recently launched a used vehicle trading platform in an effort to enhance user stickiness and brand loyalty.

Contact reporter Ding Yi (

Related: Nio Starts Trade-In Deals to Boost Customer Loyalty, Sales

Qian Tong, Yuan Ruiyang and Han Wei / Jan 11, 2021 02:45 PM / Business & Tech

Beijing has stepped up efforts to regulate China’s tech giants as they attempt to clamp down on unfair competition and increase antitrust legislation.

Alibaba Group Holding Ltd and Ant Group Co. Ltd are two of the highest profile companies to come under increased scrutiny. Alibaba found itself at the center of a regulatory storm as China’s market watchdog launched an investigation into the company on Dec. 24, citing allegations of monopolistic practices. Two days later, top financial regulators summoned executives of Ant Group, calling on the company to return to its business roots and imposing on it a series of requirements.

Far from isolated cases, the two form part of a broader trend which saw the State Administration for Market Regulation (SAMR) fine Alibaba 500,000 yuan ($76,500) for failing to seek approval before increasing its stake in department store chain Intime Retail Group Co. Ltd. to about three-quarters in 2017. China Literature Ltd., the e-books business spun off by Tencent Holdings Ltd., was also fined over a previous purchase.

Read the full story here

Related: In Depth - China Applies Closer Scrutiny to Sprawling Tech Acquisitions

Contact reporter Han Wei ( and editor Bob Simison (

By Ding Yi / Jan 11, 2021 12:58 PM / Business & Tech

Chinese search giant Baidu, which has invested in self-driving technologies for several years, is driving more directly into car manufacturing with plans to make intelligent electric vehicles with domestic automaker Geely.

The tie-up, through the formation of a new company, marks the latest pairing between a tech giant and conventional carmaker to co-develop smart vehicles, as China doubles down on efforts to build intelligent transportation systems.

The new company will be an independent subsidiary of Baidu, which will provide intelligent driving technology as Geely oversees the manufacture of actual cars, Baidu said in a statement on Monday.

The new development could also help the financial fortunes of Baidu’s Apollo platform, which specializes in autonomous driving technology. In 2017, Baidu created Apollo, which gives third-party partners access to key technologies for autonomous driving. The company also operates its Go Robotaxi service in several Chinese cities with plans to expand it to 30 cities in three years.

Contact reporter Ding Yi (

Related: Roads to Nowhere Cost Baidu $10 Million in Mapping Dispute

"""  # noqa: E501

_BYLINE = re.compile(
    r"^(?:By )?(?P<authors>.+?) / "
    r"(?P<when>\w{3} \d{1,2}, \d{4} \d{2}:\d{2} [AP]M) / (?P<section>.+)$"
)
_FULL_STORY = re.compile(r"^(Read the full story here\.?|To read the full story, click here\.)$")


def _seed_brief(byline: re.Match[str], lines: list[str], position: int) -> Brief:
    captions: list[str] = []
    paragraphs: list[str] = []
    related: list[str] = []
    contacts: list[Contact] = []
    for i, line in enumerate(lines):
        repeated = line in lines[i + 1 : i + 2] or line in captions[-1:]
        if line.startswith("Photo:") or (not paragraphs and repeated):
            captions.append(line)
        elif line.startswith("Related:"):
            related.append(line.removeprefix("Related:").strip())
        elif line.startswith("Contact "):
            _, role, name = line.split("(")[0].split(" ", 2)
            contacts.append(
                Contact("editor" if role.lower() == "editor" else "reporter", name.strip())
            )
        elif _FULL_STORY.match(line):
            continue
        elif contacts:
            related.append(line)  # related headlines without the "Related:" prefix
        else:
            paragraphs.append(line)
    return Brief(
        title=paragraphs[0][:80],
        title_source="derived",
        authors=tuple(re.split(r", | and ", byline["authors"])),
        published_at=datetime.strptime(byline["when"], "%b %d, %Y %I:%M %p").replace(
            tzinfo=BEIJING
        ),
        section=byline["section"],
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        contacts=tuple(contacts),
        related=tuple(RelatedLink(r) for r in related),
        position=position,
        byline=byline[0],
    )


def _seed_briefs() -> dict[str, Brief]:
    found: list[tuple[re.Match[str], list[str]]] = []
    for line in SEED_TEXT.splitlines():
        line = line.strip()
        if match := _BYLINE.match(line):
            found.append((match, []))
        elif line and found:
            found[-1][1].append(line)
    briefs = [_seed_brief(m, lines, i) for i, (m, lines) in enumerate(found)]
    assert len(briefs) == len(SEED_NAMES)
    return dict(zip(SEED_NAMES, briefs, strict=True))


SEED = _seed_briefs()


@pytest.fixture(scope="module")
def default_rules() -> tuple[TopicRule, ...]:
    data = tomllib.loads(DEFAULT_TOPICS.read_text(encoding="utf-8"))
    return settings_from_dict(data, base_dir=Path.cwd()).topics


@pytest.fixture(scope="module")
def default_classifier(default_rules: tuple[TopicRule, ...]) -> Classifier:
    return Classifier(default_rules, ())


# --- slugify ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Business & Tech", "business-tech"),
        ("Politics & law", "politics-law"),
        ("Politics & Law", "politics-law"),
        ("Society & Culture", "society-culture"),
        ("Trending Stories", "trending-stories"),
        ("Zoë", "zoe"),
        ("Société Générale", "societe-generale"),
        ("Straße", "strasse"),
        ("Ding Yi", "ding-yi"),
        ("What’s trending?", "whats-trending"),
        ("  --Already--a--slug--  ", "already-a-slug"),
        ("../../etc", "etc"),
        ("..\\..\\windows", "windows"),
        ("con.txt", "con-txt"),
        ("Tesla 🚗", "tesla"),
    ],
)
def test_slugify_examples(text: str, expected: str) -> None:
    assert slugify(text) == expected


@pytest.mark.parametrize(
    "name", ["CON", "con", "Prn", "aux", "NUL", "com1", "COM9", "lpt1", "LPT9", " con "]
)
def test_slugify_windows_reserved_name_gets_a_suffix(name: str) -> None:
    slug = slugify(name)
    assert slug.startswith(name.strip().lower() + "-")
    assert slug not in classify.WINDOWS_RESERVED_NAMES
    assert SLUG_SHAPE.fullmatch(slug)


@pytest.mark.parametrize("text", ["", "   ", "!!!", "&/.", "..", ".", "🚗🚕", "—"])
def test_slugify_text_without_letters_or_digits_is_a_hash(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"x-[0-9a-f]{8}", slug)
    assert slug == slugify(text)


def test_slugify_chinese_name_is_a_stable_distinct_hash() -> None:
    assert re.fullmatch(r"x-[0-9a-f]{8}", slugify("丁一"))
    assert slugify("丁一") == slugify("丁一")
    assert slugify("丁一") != slugify("丁二")


def test_slugify_keeps_names_apart_that_differ_only_in_dropped_letters() -> None:
    assert slugify("Li 丁") != slugify("Li 二")
    assert slugify("Li 丁").startswith("li-")


def test_slugify_cuts_long_text_to_80_characters_keeping_them_apart() -> None:
    long_a = "Electric vehicle makers " * 10 + "A"
    long_b = "Electric vehicle makers " * 10 + "B"
    assert len(slugify(long_a)) <= 80
    assert slugify(long_a).startswith("electric-vehicle-makers-")
    assert slugify(long_a) != slugify(long_b)


@given(st.text())
def test_slugify_always_gives_a_safe_folder_name(text: str) -> None:
    slug = slugify(text)
    assert SLUG_SHAPE.fullmatch(slug), slug
    assert len(slug) <= 80
    assert slug not in classify.WINDOWS_RESERVED_NAMES
    assert slug not in {".", ".."}


# --- reporter_slug ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ding Yi", "By Ding Yi", "by Ding Yi", "  ding   yi ", "DING YI"])
def test_reporter_slug_is_stable_across_by_spacing_and_case(name: str) -> None:
    assert reporter_slug(name) == "ding-yi"


def test_reporter_slug_of_a_chinese_name_ignores_by_and_spacing() -> None:
    assert reporter_slug("By 丁一") == reporter_slug(" 丁一 ") == slugify("丁一")


def test_distinct_seed_reporters_get_distinct_slugs() -> None:
    names = {author for b in SEED.values() for author in b.authors}
    names |= {c.name for b in SEED.values() for c in b.contacts}
    # more names seen on pages of the same family
    names |= {"Wang Xiaoqing", "Xue Xiaoli", "Denise Jia", "Ren Qiuyu", "Bloomberg"}
    assert {"Ding Yi", "Anniek Bao", "Qian Tong", "Yuan Ruiyang", "Han Wei"} <= names
    assert len({reporter_slug(n) for n in names}) == len(names)


# --- topics_for ---------------------------------------------------------------------------


def rule(slug: str, *keywords: str, exclude: tuple[str, ...] = ()) -> TopicRule:
    return TopicRule(
        slug=slug, title=slug.replace("-", " ").capitalize(), keywords=keywords, exclude=exclude
    )


def test_topics_for_puts_the_section_first_then_keyword_topics_in_config_order() -> None:
    classifier = Classifier(
        [rule("zeta", "Tesla"), rule("alpha", "IPO"), rule("unused", "bitcoin")], ()
    )
    topics = classifier.topics_for(brief("An IPO for a Tesla rival."))
    assert topics == (
        Topic("business-tech", "Business & Tech"),
        Topic("zeta", "Zeta"),
        Topic("alpha", "Alpha"),
    )


def test_topics_for_keeps_the_section_label_as_shown() -> None:
    classifier = Classifier([], ())
    assert classifier.topics_for(brief("x", section="Politics & law")) == (
        Topic("politics-law", "Politics & law"),
    )


def test_a_configured_topic_with_the_section_slug_stands_for_the_section() -> None:
    classifier = Classifier(
        [TopicRule("business-tech", "Business and technology", ("gadget",))], ()
    )
    assert classifier.topics_for(brief("Nothing to see.")) == (
        Topic("business-tech", "Business and technology"),
    )


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("EV", "Every EV maker", True),
        ("EV", "Every maker, every day", False),
        ("EV", "EVs sold well", False),  # whole words: plurals are keywords of their own
        ("EV", "an EV-maker", True),
        ("IPO", "the IPO.", True),
        ("IPO", "IPO-bound Kuaishou", True),
        ("IPO", "tipoff", False),
        ("Nio", "Nio’s ET7", True),
        ("Nio", "a trade union", False),
        ("Nio", "NIO delivered", True),
        ("Li Auto", "rivals Nio, Xpeng and Li Auto.", True),
        ("Li Auto", "Li\u00a0 Auto", True),
        ("Li Auto", "Li\n Auto", True),
        ("Li Auto", "Li Autos", False),
        ("Li Auto", "Mali Auto", False),
        ("series A", "a miniseries a day", False),
        ("series A", "its series A round", True),
        ("country's internet", "clean up the country’s internet", True),
        ("country’s internet", "clean up the country's internet", True),
        ("e-commerce", "social e\u2011commerce platform", True),
        ("e-commerce", "social e–commerce platform", True),
        ("e-commerce", "social ecommerce platform", False),
        ("M&A", "a wave of M&A deals", True),
        ("% stake", "a 24% stake in", True),
        ("U.S.-China", "U.S.-China tensions", True),
        ("U.S.-China", "in the U.S. China’s", False),
        ("JD.com", "rival JD.com said", True),
    ],
)
def test_keyword_matching(keyword: str, text: str, matches: bool) -> None:
    classifier = Classifier([rule("t", keyword)], ())
    assert ("t" in slugs(classifier.topics_for(brief(text)))) is matches


def test_a_phrase_does_not_match_across_two_paragraphs() -> None:
    classifier = Classifier([rule("ev", "electric vehicle")], ())
    assert slugs(classifier.topics_for(brief("It is electric", "vehicle makers said"))) == [
        "business-tech"
    ]


def test_keywords_match_in_title_captions_and_related_headlines_but_not_contacts() -> None:
    classifier = Classifier([rule("ev", "Tesla")], ())
    in_title = brief("Nothing.", title="Tesla cuts prices")
    in_caption = brief("Nothing.", captions=("A Tesla showroom",))
    in_related = brief("Nothing.", related=("In Depth: Tesla Powers On",))
    in_contact = brief("Nothing.", contacts=(Contact("reporter", "Tesla Fan"),))
    assert [
        ("ev" in slugs(classifier.topics_for(b)))
        for b in (in_title, in_caption, in_related, in_contact)
    ] == [True, True, True, False]


def test_an_exclude_term_vetoes_the_topic() -> None:
    classifier = Classifier([rule("chips", "chips", exclude=("blue chips",))], ())
    assert "chips" in slugs(classifier.topics_for(brief("Chips are short.")))
    assert "chips" not in slugs(classifier.topics_for(brief("Chips are short for blue chips.")))


def test_exclude_terms_are_whole_words_too() -> None:
    classifier = Classifier([rule("chips", "chips", exclude=("blue",))], ())
    assert "chips" in slugs(classifier.topics_for(brief("Chips for bluetooth.")))


def test_a_slug_that_cannot_name_a_folder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="con"):
        Classifier([rule("con", "x")], ())
    with pytest.raises(ConfigError, match="a--b"):
        Classifier([], [CustomFeedRule("a--b", "A", include_keywords=("x",))])


# --- feeds_for ----------------------------------------------------------------------------


def test_feeds_for_lists_all_topic_and_reporter_feeds_with_their_titles() -> None:
    classifier = Classifier(
        [TopicRule("electric-vehicles", "Electric vehicles and autos", ("Tesla",))], ()
    )
    b = brief("Tesla delivers.", authors=("By Ding Yi",))
    assert classifier.feeds_for(b, classifier.topics_for(b)) == (
        FeedSpec("all", "all", "All briefs", "Every brief from the page"),
        FeedSpec("topic", "business-tech", "Business & Tech", "Briefs about Business & Tech"),
        FeedSpec(
            "topic",
            "electric-vehicles",
            "Electric vehicles and autos",
            "Briefs about Electric vehicles and autos",
        ),
        FeedSpec("reporter", "ding-yi", "Ding Yi", "Briefs by Ding Yi"),
    )


def test_a_three_author_brief_is_in_three_reporter_feeds() -> None:
    classifier = Classifier([], ())
    b = SEED["antitrust"]
    assert b.authors == ("Qian Tong", "Yuan Ruiyang", "Han Wei")
    reporters = [
        s for s in classifier.feeds_for(b, classifier.topics_for(b)) if s.kind == "reporter"
    ]
    assert [(s.slug, s.title, s.folder) for s in reporters] == [
        ("qian-tong", "Qian Tong", "reporters/qian-tong"),
        ("yuan-ruiyang", "Yuan Ruiyang", "reporters/yuan-ruiyang"),
        ("han-wei", "Han Wei", "reporters/han-wei"),
    ]


def test_a_brief_without_authors_is_in_no_reporter_feed() -> None:
    classifier = Classifier([], ())
    b = brief("x", authors=())
    assert [s.kind for s in classifier.feeds_for(b, classifier.topics_for(b))] == ["all", "topic"]


def custom(**kwargs: object) -> Classifier:
    return Classifier(
        [rule("electric-vehicles", "Tesla", "Nio"), rule("ipos", "IPO")],
        [CustomFeedRule(slug="mine", title="Mine", description="My feed", **kwargs)],  # type: ignore[arg-type]
    )


def in_custom(classifier: Classifier, b: Brief) -> bool:
    return FeedSpec("custom", "mine", "Mine", "My feed") in classifier.feeds_for(
        b, classifier.topics_for(b)
    )


def test_custom_feed_includes_by_topic_slug_or_section_label() -> None:
    by_slug = custom(include_topics=("electric-vehicles",))
    assert in_custom(by_slug, brief("Tesla delivers."))
    assert not in_custom(by_slug, brief("Kuaishou plans an IPO."))
    by_section = custom(include_topics=("Politics & Law",))
    assert in_custom(by_section, brief("x", section="Politics & law"))
    assert not in_custom(by_section, brief("x"))


def test_custom_feed_includes_by_reporter_whatever_the_spelling() -> None:
    classifier = custom(include_reporters=("by ding  yi",))
    assert in_custom(classifier, brief("x", authors=("Anniek Bao", "Ding Yi")))
    assert not in_custom(classifier, brief("x", authors=("Anniek Bao",)))


def test_custom_feed_includes_by_keyword_as_whole_word() -> None:
    classifier = custom(include_keywords=("Li Auto", "Xpeng"))
    assert in_custom(classifier, brief("Rivals Xpeng and Li   Auto."))
    assert not in_custom(classifier, brief("Rivals Xpengs and Li Autos."))


def test_custom_feed_needs_every_include_list_to_match() -> None:
    classifier = custom(include_topics=("electric-vehicles",), include_reporters=("Ding Yi",))
    assert in_custom(classifier, brief("Tesla delivers.", authors=("Ding Yi",)))
    assert not in_custom(classifier, brief("Tesla delivers.", authors=("Anniek Bao",)))
    assert not in_custom(classifier, brief("Kuaishou IPO.", authors=("Ding Yi",)))


@pytest.mark.parametrize(
    ("exclude", "text", "authors"),
    [
        ({"exclude_topics": ("electric-vehicles",)}, "Tesla delivers.", ("Ding Yi",)),
        ({"exclude_reporters": ("Ding Yi",)}, "Kuaishou IPO.", ("By Ding Yi", "Anniek Bao")),
        ({"exclude_keywords": ("Kuaishou",)}, "Kuaishou IPO.", ("Ding Yi",)),
    ],
)
def test_custom_feed_exclude_lists_veto(
    exclude: dict[str, tuple[str, ...]], text: str, authors: tuple[str, ...]
) -> None:
    assert in_custom(custom(include_topics=("business-tech",)), brief(text, authors=authors))
    vetoed = custom(include_topics=("business-tech",), **exclude)
    assert not in_custom(vetoed, brief(text, authors=authors))
    assert in_custom(vetoed, brief("Bilibili plans a listing.", authors=("Yang Ge",)))


def test_custom_feed_without_description_uses_its_title() -> None:
    classifier = Classifier([], [CustomFeedRule("mine", "Mine", include_keywords=("x",))])
    assert classifier.configured_feeds()[-1] == FeedSpec("custom", "mine", "Mine", "Mine")


def test_configured_feeds_are_all_topics_and_custom_feeds() -> None:
    classifier = custom(include_keywords=("x",))
    assert classifier.configured_feeds() == (
        ALL_FEED,
        FeedSpec(
            "topic", "electric-vehicles", "Electric vehicles", "Briefs about Electric vehicles"
        ),
        FeedSpec("topic", "ipos", "Ipos", "Briefs about Ipos"),
        FeedSpec("custom", "mine", "Mine", "My feed"),
    )


def test_topic_feeds_of_configured_feeds_equal_those_of_matching_briefs() -> None:
    classifier = custom(include_keywords=("Tesla",))
    b = brief("Tesla plans an IPO.")
    configured = set(classifier.configured_feeds())
    assert configured <= set(classifier.feeds_for(b, classifier.topics_for(b)))


# --- the default topics on the seed page --------------------------------------------------


def test_default_topics_file_is_valid_config(default_rules: tuple[TopicRule, ...]) -> None:
    assert len(default_rules) >= 8
    assert all(r.keywords and r.title for r in default_rules)
    Classifier(default_rules, ())


#: What a human would file each seed brief under (keyword topics only).
SEED_TOPICS = {
    "boe": {"chips-hardware", "ipos-fundraising", "deals-acquisitions"},
    "foxconn": {"chips-hardware", "trade-us-china"},
    "kuaishou": {"ipos-fundraising"},
    "tesla": {"electric-vehicles"},
    "weibo": {"content-crackdown"},
    "huawei": set(),
    "tme": {"deals-acquisitions"},
    "jaka": {"ipos-fundraising", "autonomous-robotics"},
    "lotus": {"electric-vehicles"},
    "qiaodan": set(),
    "ehang": {"autonomous-robotics"},
    "weride": {"autonomous-robotics", "ipos-fundraising"},
    "bilibili": {"ipos-fundraising", "trade-us-china"},
    "fengniao": {"ecommerce-livestreaming"},
    "paypal": {"fintech-payments", "deals-acquisitions"},
    "douyin": {"content-crackdown", "ecommerce-livestreaming"},
    "impossible": set(),
    "nio": {"electric-vehicles", "chips-hardware", "autonomous-robotics"},
    "antitrust": {"regulation-antitrust", "fintech-payments", "deals-acquisitions"},
    "baidu": {"electric-vehicles", "autonomous-robotics"},
}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_default_topics_file_each_seed_brief_where_a_human_would(
    default_classifier: Classifier, name: str
) -> None:
    topics = default_classifier.topics_for(SEED[name])
    assert topics[0] == Topic("business-tech", "Business & Tech")
    assert set(slugs(topics[1:])) == SEED_TOPICS[name]


def test_every_default_topic_catches_a_seed_brief(default_rules: tuple[TopicRule, ...]) -> None:
    assert {r.slug for r in default_rules} == set().union(*SEED_TOPICS.values())


def test_the_foxconn_brief_is_not_about_cars(default_classifier: Classifier) -> None:
    # its related headline is "Foxconn, Geely Plan Venture to Make Cars for Other Automakers"
    assert "Cars" in SEED["foxconn"].related[0].title
    assert "electric-vehicles" not in slugs(default_classifier.topics_for(SEED["foxconn"]))


def test_default_topic_exclude_terms_work(default_classifier: Classifier) -> None:
    chips = brief("Chipmakers led blue-chip stocks higher as chips stayed scarce.")
    assert "chips-hardware" not in slugs(default_classifier.topics_for(chips))
    assert "chips-hardware" in slugs(default_classifier.topics_for(brief("Chips stayed scarce.")))
