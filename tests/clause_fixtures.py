"""Labelled clause fixtures and a finder for real license texts installed on this machine.

Shared by tests/test_clauses.py and bench/clauses_bench.py. Every fixture is written for osaid (a
paraphrase of a kind of clause, never a copy of a license); each carries the set of restriction
kinds it should yield. `HARD` fixtures are wordings the patterns are known to miss (kept so the
bench's recall is honest).
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

# (text, expected kinds)
POSITIVE: list[tuple[str, set[str]]] = [
    # --- user-threshold
    (
        "If, on the release date, the products or services offered by you or your affiliates had more "
        "than 700 million monthly active users in the preceding month, you must ask us for a license.",
        {"user-threshold"},
    ),
    (
        "The Licensee's service shall not exceed one hundred million monthly active users unless a "
        "further agreement is signed.",
        {"user-threshold"},
    ),
    (
        "Organisations with annual revenue exceeding USD 1,000,000 must buy an enterprise license.",
        {"user-threshold"},
    ),
    (
        "This grant does not cover any entity whose gross turnover is greater than €10 million a "
        "year.",
        {"user-threshold"},
    ),
    (
        "Companies with more than 250 employees need a paid license from the author.",
        {"user-threshold"},
    ),
    (
        "You may use the weights freely unless your platform serves over 50M daily active users.",
        {"user-threshold"},
    ),
    (
        "Businesses earning more than $5 million in yearly revenue are not covered by this grant.",
        {"user-threshold"},
    ),
    (
        "Should the number of people using your service each month go beyond 10 million, this "
        "permission ends.",
        {"user-threshold"},
    ),
    # --- acceptable-use-policy
    (
        "Your use of the Model is subject to the Acceptable Use Policy, which is hereby incorporated "
        "by reference into this Agreement.",
        {"acceptable-use-policy"},
    ),
    (
        "You must comply with our Prohibited Use Policy, published at example.org/policy.",
        {"acceptable-use-policy"},
    ),
    (
        "Licensee agrees not to use the Software to generate spam, to impersonate others, or to "
        "harass any person.",
        {"field-of-use"},  # named harmful uses are fields of use; the generic promise yields
    ),
    (
        "You agree you will not use, or let others use, the Model to:\n"
        "1. Engage in illegal activity\n2. Harass or bully people\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    (
        "Any use of the Materials has to be in accordance with the usage guidelines published by the "
        "Provider.",
        {"acceptable-use-policy"},
    ),
    (
        "## Prohibited Uses\n\nThe model may not be used to harass or deceive anyone.\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    (
        "The user undertakes never to employ the system to deceive or defraud anyone.",
        {"acceptable-use-policy"},
    ),
    # --- field-of-use
    ("You agree not to use the Model for military use in any way.", {"field-of-use"}),
    (
        "The Software may not be used in medical diagnosis or to give treatment recommendations.",
        {"field-of-use"},
    ),
    ("Use of the weights by law enforcement agencies is prohibited.", {"field-of-use"}),
    ("You shall not deploy the system for mass surveillance of individuals.", {"field-of-use"}),
    ("Licensee will not use the Model to design or develop weapons.", {"field-of-use"}),
    (
        "You agree not to use the Model or any Derivatives:\n"
        "- for military purposes;\n- for surveillance of people;\n- to provide medical advice;\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    ("This license does not extend to applications in critical infrastructure.", {"field-of-use"}),
    (
        "Nobody may apply the network to facial recognition of people in public spaces.",
        {"field-of-use"},
    ),
    # --- non-commercial
    ("The Model is provided for non-commercial purposes only.", {"non-commercial"}),
    (
        "Released under CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/).",
        {"non-commercial"},
    ),
    ("Commercial use requires a separate license from the Company.", {"non-commercial"}),
    (
        "You may not use the Materials for any commercial purpose without our prior written consent.",
        {"non-commercial"},
    ),
    (
        "If you wish to deploy the weights commercially, you must first obtain written permission.",
        {"non-commercial"},
    ),
    (
        "This work is licensed under the Creative Commons Attribution-NonCommercial 4.0 "
        "International License.",
        {"non-commercial"},
    ),
    ("For commercial licensing, please contact sales@example.com.", {"non-commercial"}),
    # --- research-only
    (
        "The weights are released for non-commercial research purposes only.",
        {"research-only", "non-commercial"},
    ),
    ("Access is granted for research and evaluation only.", {"research-only"}),
    ("You may download one copy for personal use only.", {"research-only"}),
    (
        "The dataset may only be used by academic institutions for scientific research.",
        {"research-only"},
    ),
    ("The checkpoints may not be deployed in production environments.", {"research-only"}),
    ("Use of this model is restricted to academic research.", {"research-only"}),
    # --- no-derivatives
    ("Licensed under CC BY-ND 4.0.", {"no-derivatives"}),
    ("You may not modify, adapt or fine-tune the Model.", {"no-derivatives"}),
    ("You must not distribute modified versions of the weights.", {"no-derivatives"}),
    ("Derivative works are not permitted.", {"no-derivatives"}),
    ("The files may be redistributed only in their original form.", {"no-derivatives"}),
    ("This is a NoDerivatives license.", {"no-derivatives"}),
    # --- output-use
    (
        "You will not use the outputs of the Model to train or improve any other large language "
        "model.",
        {"output-use"},
    ),
    (
        "Outputs generated with the service may not be used to develop competing models.",
        {"output-use"},
    ),
    (
        "You agree not to use any content generated by the Model to build a similar AI system.",
        {"output-use"},
    ),
    ("Do not use the model to distill knowledge into smaller networks.", {"output-use"}),
    # --- geographic
    ("The Model may not be used in the European Union.", {"geographic"}),
    ("This license is not available to residents of Illinois or Texas.", {"geographic"}),
    (
        "We grant you a worldwide license excluding the European Union and the United Kingdom.",
        {"geographic"},
    ),
    ("Users located in mainland China may not access the weights.", {"geographic"}),
    # --- terms-may-change
    ("We may update these terms from time to time.", {"terms-may-change"}),
    (
        "The Licensor reserves the right to modify this policy at any time without notice.",
        {"terms-may-change"},
    ),
    ("This policy may be amended periodically at our sole discretion.", {"terms-may-change"}),
    (
        "Your use must comply with the Acceptable Use Policy, as updated from time to time.",
        {"acceptable-use-policy", "terms-may-change"},
    ),
    ("The company can change the license terms whenever it wishes.", {"terms-may-change"}),
    # --- acceptance-required
    (
        'By clicking "I Accept" below you agree to be bound by this Agreement.',
        {"acceptance-required"},
    ),
    (
        "You need to agree to share your contact information to access this model.",
        {"acceptance-required"},
    ),
    ("Registration is required before downloading the checkpoints.", {"acceptance-required"}),
    (
        "You must accept these terms before accessing or downloading the weights.",
        {"acceptance-required"},
    ),
    ("Fill out the request form to obtain access to the weights.", {"acceptance-required"}),
    # --- naming
    ('Any model you derive from it must include "Foo" at the beginning of its name.', {"naming"}),
    ("Modified versions must be renamed.", {"naming"}),
    # --- attribution
    ("You must retain all copyright notices in every copy you distribute.", {"attribution"}),
    (
        'If you ship a product that uses the model, you shall prominently display "Built with Foo" '
        "on the related website.",
        {"attribution"},
    ),
    (
        "The above copyright notice and this permission notice shall be included in all copies.",
        {"attribution"},
    ),
    # --- copyleft
    (
        "Adaptations you share must be licensed under the same license as the original.",
        {"copyleft"},
    ),
    ("Licensed under CC BY-SA 4.0.", {"copyleft"}),
    ("If you distribute a modified version, you must release it under this license.", {"copyleft"}),
]

# The boundaries between kinds (docs/clauses.md), each side written as a fixture.
BOUNDARY: list[tuple[str, set[str]]] = [
    # field-of-use: a field named in the license itself, however the prohibition is built
    ("Licensees must not, for warfare or espionage, deploy the model.", {"field-of-use"}),
    ("The Provider forbids any use of the Model for surveillance of workers.", {"field-of-use"}),
    ("You may not use the model to write malware or spread disinformation.", {"field-of-use"}),
    (
        "Licensees must not do any of the following, nor let others do them\n- a. run the weights"
        " (i) to earn money, (ii) for warfare, or (iii) to cheat;\n- b. remove notices.\n",
        {"field-of-use"},
    ),
    (
        "Save where the law allows it, you must not (nor are you entitled to):\n\n"
        "  a) sell copies;\n  b) use the code for any act that harms national security.\n",
        {"field-of-use"},
    ),
    # acceptance-required, not non-commercial: registration is not a ban
    (
        "Businesses may use the model commercially once they have filled out our registration "
        "form.",
        {"acceptance-required"},
    ),
    ("REVIEW AND ACCEPT THESE TERMS BEFORE YOU RUN THE WEIGHTS.", {"acceptance-required"}),
    ("You must register with us before commercial deployment.", {"acceptance-required"}),
    (
        "Use of the model for commercial purposes requires registration through our website.",
        {"acceptance-required"},
    ),
    (
        "If you want to use the model commercially, please send us an email to register.",
        {"acceptance-required"},
    ),
    ("Commercial use of the model is allowed without registration.", set()),
    ("Please register on our website to receive news about new releases.", set()),
    ("You may not use the model for any purpose other than evaluating it.", {"research-only"}),
    ("The model must not be used to make decisions about hiring.", {"field-of-use"}),
    # geographic: territory grants and exclusions
    ("These terms are not effective in the European Union.", {"geographic"}),
    ('"Territory" means the United States and Canada.', {"geographic"}),
    (
        "The rights in Section 2 are not granted to anyone residing in the European Union.",
        {"geographic"},
    ),
    (
        "If your company is headquartered in the United Kingdom, this license does not extend to "
        "you.",
        {"geographic"},
    ),
    # user-threshold: defined terms, devices, visits
    (
        '"Size Limit" means yearly turnover above twenty million US dollars.',
        {"user-threshold"},
    ),
    (
        "Your deployment may not exceed 3,000 devices without a separate license.",
        {"user-threshold"},
    ),
    (
        "If your site gets more than 5 million visits per month, ask us for a license.",
        {"user-threshold"},
    ),
    (
        "Apps whose DAU figure is above 2 million need our consent.",
        {"user-threshold"},
    ),
    # non-commercial and research-only in definition and grant style
    ('"Allowed Purpose" means work restricted to scientific experimentation.', {"research-only"}),
    (
        "We grant you a license to copy and run the checkpoints for Evaluation Purposes.",
        {"research-only"},
    ),
    ("The software may be run only non-commercially.", {"non-commercial"}),
    ("These weights are provided to you for non-production use.", {"non-commercial"}),
    (
        "The grant covers copying the model for any aim other than commercial use.",
        {"non-commercial"},
    ),
    # definitions describe a term; they restrict only when they narrow the grant
    ('"Commercial Use" means any use that earns money or a business edge.', set()),
    (
        '"Lab Use" means scientific work that is not mainly meant for commercial gain.',
        set(),
    ),
    # terms-may-change, not updates of the model or enforcement
    (
        "The Licensor may amend this Agreement from time to time by publishing a revised version "
        "on its website.",
        {"terms-may-change"},
    ),
    (
        "Your use must follow the Usage Policy, which we may revise at any time.",
        {"acceptable-use-policy", "terms-may-change"},
    ),
    ("Model Refreshes and Remote Limits.", set()),
    (
        "We keep the right to limit, by remote means, any use that breaks this License, and to "
        "refresh the weights.",
        set(),
    ),
    (
        "The models covered are listed on our website, as updated from time to time.",
        set(),
    ),
    ("You may not ship the model to any party barred from US export transactions.", set()),
    # naming, not trademarks or endorsement
    ("You may not use the names or logos of the Licensor to promote your product.", set()),
    ("The author's name must not appear in adverts for derived products as an endorsement.", set()),
    ("A fine-tuned model may not be called by the original name.", {"naming"}),
    # no-derivatives only when modification itself is forbidden
    ("You shall not reverse engineer or decompile the Software.", set()),
    ("You may not alter or remove proprietary notices in the Model.", set()),
    ("You may not modify or adapt the Model in any way.", {"no-derivatives"}),
    # items of a prohibition list inherit it, whatever the kind
    (
        "You agree not to use the Model:\n- in the European Union;\n- for spam.\n",
        {"acceptable-use-policy", "field-of-use", "geographic"},
    ),
    ("You may not:\n- modify or adapt the Model;\n- sell copies.\n", {"no-derivatives"}),
    (
        "You shall not:\n- use the Model for commercial purposes;\n- remove notices.\n",
        {"non-commercial"},
    ),
    # headings, titles, dates are never clauses
    ("THE FOOBAR WEIGHTS LICENSE", set()),
    ("Last updated: 3 March 2025", set()),
    ("4. Non-Commercial Use Only", set()),
]

# More wordings of each kind and of non-restrictions, as a reader of new licenses meets them.
WORDINGS: list[tuple[str, set[str]]] = [
    ("The Model shall not be deployed in weapons systems.", {"field-of-use"}),
    ("Use of the Software by or for any military organisation is not permitted.", {"field-of-use"}),
    ("You may use the model for anything except surveillance.", {"field-of-use"}),
    ("No use in connection with nuclear facilities is licensed.", {"field-of-use"}),
    ("Licensee must not apply the model to predictive policing.", {"field-of-use"}),
    ("This license does not permit commercial use.", {"non-commercial"}),
    ("The Model is licensed to you for non-commercial purposes.", {"non-commercial"}),
    ("Any commercial use is forbidden.", {"non-commercial"}),
    ("You may only use the model to evaluate it.", {"research-only"}),
    ("Use is restricted to internal testing.", {"research-only"}),
    ("Outputs must not be used to develop models that compete with ours.", {"output-use"}),
    ("You will not train another model on data generated by the Model.", {"output-use"}),
    ("Distillation of the model into other models is prohibited.", {"output-use"}),
    ("The Model may not be used by persons located in Russia.", {"geographic"}),
    ("Access from the EU is not permitted.", {"geographic"}),
    ("These terms may be revised at any time.", {"terms-may-change"}),
    ("We reserve the right to change this license.", {"terms-may-change"}),
    (
        "Continued use after changes to this Agreement means you accept the new terms.",
        {"terms-may-change"},
    ),
    ("You need to log in with an account to download the weights.", {"acceptance-required"}),
    (
        "Companies whose annual turnover exceeds EUR 2 million must purchase a license.",
        {"user-threshold"},
    ),
    ("Free for up to 1,000 monthly users.", {"user-threshold"}),
    ("Organizations with 500 or more employees need a commercial license.", {"user-threshold"}),
    ("Your use must not violate our Responsible AI Guidelines.", {"acceptable-use-policy"}),
    (
        "You must follow the Community Code of Conduct when using the model.",
        {"acceptable-use-policy"},
    ),
    ("Please read our Privacy Policy to learn how we handle data.", set()),
    ("You must comply with applicable export control policies.", set()),
    ("You may use, copy and modify the model for any purpose, including commercial use.", set()),
    ("The model was evaluated on 12 benchmarks with more than 5,000 users.", set()),
    ("You must not provide the service to users under 13 years old.", set()),
    ("If you have customers in over 30 countries, contact us.", set()),
    ("The licensee shall keep records of users for at least 5 years.", set()),
    ("We thank the 300 volunteers who tested the model.", set()),
    ("本模型不得用于任何商业目的。", {"non-commercial"}),
    ("禁止把本模型的输出拿去训练新的模型。", {"output-use"}),
    ("若您所在企业的年收入超过一亿元人民币，需另行获得商业许可。", {"user-threshold"}),
    # a use policy whose prohibited uses are labelled paragraphs, not list items
    (
        "Nobody may use the weights for any of the uses below:\n\n"
        "Scams: running phishing campaigns or other fraud against consumers.\n\n"
        "Abuse: stalking or harassment of a person.\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    (
        "Users must not use the service in the following ways:\n\n"
        "Training data: producing synthetic data meant to train or otherwise improve a rival "
        "language model.\n",
        {"acceptable-use-policy", "output-use"},
    ),
    (
        "No licensee may use the model for the purposes below:\n\n"
        "**Elections:** writing propaganda for a campaign.\n\n"
        "**Weapons:** designing munitions.\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    # a numbered label is the text's structure, and ends the list
    (
        "Users may not use the tool:\n- to break local laws.\n\n"
        "Part 2: we publish a guide to surveillance research.\n",
        {"acceptable-use-policy"},
    ),
    # a labelled paragraph after an ordinary paragraph is no list item
    (
        "Please read this first.\n\nScope: the weights and the tokenizer are covered.\n",
        set(),
    ),
    ("It is forbidden to use the model to make deepfakes of real people.", {"field-of-use"}),
    # policies made part of the agreement by reference
    (
        "Your use must adhere to any rules and policies the Provider publishes, which are "
        "incorporated into these terms by reference.",
        {"acceptable-use-policy"},
    ),
    ("Our Privacy Policy is incorporated in this agreement by reference.", set()),
    ("Personal data you collect must only be stored on servers in the European Union.", set()),
    # the definition of a term the grant is limited to narrows the grant
    (
        '"Allowed Use" means non-profit scientific study.\n\n'
        "You may run the checkpoints only for an Allowed Use.",
        {"research-only"},
    ),
    ('"Study" means careful work.\n\nYou may use the weights for anything, Study included.', set()),
    # the limit after the verb, gating by approval
    ("The weights may be run only by universities, for teaching.", {"research-only"}),
    (
        "A download link is provided only after approval of your application.",
        {"acceptance-required"},
    ),
    # the paragraph right after a colon lead-in is its list, even with no marks, one use a line
    (
        "Licensees promise not to use the weights in these ways:\n\n"
        "To stalk or harass a person;\n"
        "To spread knowingly false information about an election;\n"
        "To deceive people by impersonating them.\n\n"
        "The remaining terms follow.\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    ("You shall not use the model to harm or endanger minors.", {"field-of-use"}),
    # an obligation stated as a bare imperative item
    (
        "When you pass the checkpoint on, you are obliged to:\n"
        "a. Hand each recipient a copy of this License.\n"
        "b. Retain all copyright notices.\n",
        {"attribution"},
    ),
]

# Chinese clauses read with the same kinds (written for these tests).
CHINESE: list[tuple[str, set[str]]] = [
    ("本模型不可用在军事领域。", {"field-of-use"}),
    ("禁止利用本模型制作恶意软件。", {"field-of-use"}),
    (
        "您不得将模型用于以下用途：\n1. 战争；\n2. 监控他人；\n",
        {"acceptable-use-policy", "field-of-use"},  # an embedded list, as in English
    ),
    ("如要商用本模型，请先取得我们的书面许可。", {"non-commercial"}),
    ("本模型仅可用于非商业目的。", {"non-commercial"}),
    ("企业在填写登记表之后可免费商用。", {"acceptance-required"}),
    ("点击“同意”按钮，即视为认可全部条款。", {"acceptance-required"}),
    ("许可方有权随时修改本协议。", {"terms-may-change"}),
    ("您在再分发时须以显著方式注明模型来源。", {"attribution"}),
    ("本模型仅限学术研究使用。", {"research-only"}),
    ("许可方授予您免费许可，您可用于科研目的。", {"research-only"}),
    ("许可方欢迎高校在教学中采用本模型。", set()),
    ("禁止借助本模型实施危害国家安全的行为。", {"field-of-use"}),
    ("若您的产品月活跃用户超过一亿，须另行申请许可。", {"user-threshold"}),
    ("您不得使用本模型的输出训练其他大模型。", {"output-use"}),
    ("您不得拿本模型产出的内容去训练别的模型。", {"output-use"}),
    ("如果您的产品月活跃用户数超过1亿，您必须向我们申请许可。", {"user-threshold"}),
    ("商业用途须另行获得许可方授权。", {"non-commercial"}),
    ("本许可仅限中国大陆境内使用。", {"geographic"}),
    ("使用本模型时请遵循附录所载的行为规范。", {"acceptable-use-policy"}),
    ("请遵循随附的《可接受使用政策》。", {"acceptable-use-policy"}),
    ("本模型只允许在非商业场景中使用。", {"non-commercial"}),
    ("学术研究可直接使用本模型，商业使用前需先行登记。", {"acceptance-required"}),
    ("如果您或您的关联方的产品月活跃用户数超过1亿，您需要向我们申请许可。", {"user-threshold"}),
    ("您不得利用本模型或其输出来开发与许可方竞争的模型。", {"output-use"}),
    ("我们可随时修订本许可证。", {"terms-may-change"}),
    ("中英文两版若有出入，以中文为准。", set()),
    ("您不得将模型用于任何违反法律法规的用途。", set()),
    ("禁止用于自动驾驶、医疗诊断等高风险领域。", {"field-of-use"}),
    ("您需在产品显著位置标明“基于星光模型开发”。", {"attribution"}),
    ("衍生模型的名称须以“星光”开头。", {"naming"}),
    ("任何人只要获得本模型的副本，均可免费使用、修改和分发。", set()),
    ("本许可证不适用于欧盟境内的用户。", {"geographic"}),
    ("您不得修改本模型。", {"no-derivatives"}),
    (
        "本模型的权重仅供研究人员下载，下载前须提交申请并经许可方审核。",
        {"research-only", "acceptance-required"},
    ),
    # not restrictions
    ("本模型可用于商业和非商业用途。", set()),
    ("适用场景包括但不限于学术研究。", set()),
    ("本模型按现状提供，我们不作任何担保，也不保证它适合某一特定用途。", set()),
    ("没有我们的书面许可，不能使用我们的商标。", set()),
    ("请勿抢注与我们相同的商标，也请勿进行相关的域名注册。", set()),
    ("包括但不限于个人信息在内的数据，都应依法处理。", set()),
    ("星辰模型许可协议", set()),
    # registration worded as registering with someone, or sending registration material
    ("如需商用，请事先向本公司备案。", {"acceptance-required"}),
    ("商用前请把登记材料发给许可方。", {"acceptance-required"}),
    # a term the grant is limited to, defined in Chinese
    ("“允许用途”是指科研与教学。\n\n您只能出于“允许用途”使用本模型。", {"research-only"}),
    # the place before the verb
    ("本许可证在美国境内不适用。", {"geographic"}),
    # a promise not to use before a list
    (
        "您承诺不将本模型用于下列场景：\n（一）武器研发；\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    # keeping data in a country is a data duty, not a limit on where the model may be used
    ("您只能在中国境内存储从许可方处获得的数据。", set()),
    # a Chinese prohibition before a list of purposes
    (
        "许可方禁止您为下列目的使用本模型：\n1. 侵犯他人的合法权益；\n2. 制作色情内容。\n",
        {"acceptable-use-policy", "field-of-use"},
    ),
    # the source or a copy of the license must go with the model, also as a bare item
    ("分发模型时，须说明模型出处并附上本许可证的链接。", {"attribution"}),
    ("再分发须满足以下条件：\n（一）向接收者提供本许可证副本；\n", {"attribution"}),
]

# A bilingual license: an English half and a Chinese half with the same terms.
BILINGUAL = """STARLIGHT MODEL LICENSE

1. You may use the model for any purpose, except that you shall not use it for military
purposes.
2. Commercial use needs a separate written permission.
3. The Licensor may update this Agreement from time to time.

星光模型许可协议

1. 本模型可自由使用，唯独不得用于军事目的。
2. 商业使用须先得到我方的书面同意。
3. 许可方可随时变更本协议内容。
"""
BILINGUAL_KINDS = {"field-of-use", "non-commercial", "terms-may-change"}

# A markdown license with a table of contents, bold definitions and a prohibition list.
MARKDOWN_LICENSE = """\
# Nova Model License

## Table of Contents
1. Definitions
2. Grant
3. Restrictions
4. Changes

## 1. Definitions
**"Commercial Use"** means any use for monetary gain.
**"Permitted Use"** means personal or research use only.

## 2. Grant
Subject to this License, we grant you a license to use the Model solely for Permitted Use.

## 3. Restrictions
You shall not:
- use the Model for Commercial Use without our written consent;
- use the Model to build weapons;
- use outputs to train competing models.

## 4. Changes
We may revise this License at any time by posting a new version.
"""
MARKDOWN_LICENSE_KINDS = {
    "research-only",
    "non-commercial",
    "field-of-use",
    "output-use",
    "terms-may-change",
}

# A permissive license written in Chinese: only attribution, no blocking kind.
CHINESE_PERMISSIVE = """\
晨光宽松许可证 第1版

1. 版权许可
每位贡献者授予您一项永久、全球、免费、非独占且不可撤销的版权许可：无论用途为何（包括商业用途），您都可以复制、使用、修改和分发本软件，不论修改与否。

2. 专利许可
每位贡献者授予您永久的、全球的、免费的专利许可，用于制造、使用、销售本软件。

3. 无商标许可
本许可证不提供对贡献者商标的许可，但您为履行第4条的声明义务而使用的除外。

4. 分发要求
您可以通过任何媒介再分发本软件，但必须随附本许可证的副本，并在软件里留存原有的版权声明。

5. 免责声明与责任限制
本软件按现状提供，贡献者不就其作出任何担保，对使用本软件造成的损失也不负责任。

6. 语言
本许可证以中英文双语表述，两种文本具有同等效力。如有冲突，以中文版为准。
"""

NEGATIVE: list[str] = [
    # advice in model cards
    "## Out-of-Scope Use\n\nThe model should not be used for medical diagnosis.\n",
    "This model is not intended for military applications.",
    "We recommend against using this model in healthcare settings.",
    "The model has not been evaluated for legal advice and is not suitable for it.",
    "Out-of-scope uses:\n- surveillance\n- medical diagnosis\n",
    "This model is intended for research purposes only.",
    "Limitations: the model may produce inaccurate medical information; do not rely on it.",
    # law compliance and governing law
    "You must comply with all applicable export control laws and regulations, including those of "
    "the United States.",
    "This Agreement is governed by the laws of the State of California.",
    # disclaimers
    "THE SOFTWARE IS PROVIDED WITHOUT WARRANTY OF ANY KIND, INCLUDING MERCHANTABILITY AND FITNESS "
    "FOR A PARTICULAR PURPOSE.",
    # permissions, not restrictions
    "You may use the Model for commercial and non-commercial purposes.",
    "Commercial use is permitted.",
    "Researchers, developers and businesses may all use and fine-tune the model.",
    "You are not required to accept this License in order to receive a copy.",
    "This project is released under the Apache License 2.0.",
    "Please cite our paper if you find the model useful.",
    "We trained the model on 2 trillion tokens with 700 million parameters for 30 days.",
    "The license does not restrict use in any field, including military or medical work.",
    "",
]

# Known misses: wordings the patterns do not catch yet (counted in the bench's recall).
HARD: list[tuple[str, set[str]]] = [
    ("Only universities and non-profit labs are licensed.", {"research-only"}),
]

# A custom license in the style of community AI licenses (written for these tests).
CUSTOM_LICENSE = """\
ACME OPEN WEIGHTS LICENSE

By clicking "Accept" or by downloading the Acme Materials you agree to this Agreement.

1. License grant. Acme grants you a non-exclusive, worldwide license excluding the
European Union to use, copy and modify the Acme Materials.

2. Conditions.
a. Any model you derive from the Materials must include "Acme" at the start of its name.
b. You must keep all copyright notices.
c. Your use of the Materials is subject to the Acme Acceptable Use Policy, which is
incorporated by reference into this Agreement.
d. You will not use the outputs of the Materials to train or improve any other
large language model.

3. Scale. If your services have more than 300 million monthly active users, you must request
a license from Acme, which Acme may grant at its sole discretion.

4. Changes. Acme may update this Agreement from time to time.
"""
CUSTOM_LICENSE_KINDS = {
    "acceptance-required",
    "geographic",
    "naming",
    "attribution",
    "acceptable-use-policy",
    "output-use",
    "user-threshold",
    "terms-may-change",
}

# --- real texts installed on this machine ------------------------------------------------------

# Families of permissive and copyleft licenses, told apart by a marker near the top of the text.
FAMILIES: list[tuple[str, re.Pattern]] = [
    ("Apache-2.0", re.compile(r"Apache License\s+Version 2\.0")),
    ("GPL", re.compile(r"\A\s*GNU GENERAL PUBLIC LICENSE")),
    (
        "LGPL",
        re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE|GNU Library General Public License", re.I),
    ),
    ("GPL", re.compile(r"GNU GENERAL PUBLIC LICENSE")),
    ("MPL", re.compile(r"Mozilla Public License", re.I)),
    ("CC-BY-4.0", re.compile(r"^Attribution 4\.0 International", re.M)),
    ("ISC", re.compile(r"\bISC License\b|Permission to use, copy, modify, and/or distribute")),
    ("MIT", re.compile(r"Permission is hereby granted, free of charge")),
    ("BSD", re.compile(r"Redistribution and use in source and binary forms")),
]


def _site_dirs() -> list[Path]:
    dirs = {Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])}
    base = Path(sys.base_prefix)
    dirs.update(base.glob("lib/python3*/site-packages"))
    return sorted(d for d in dirs if d.is_dir())


def find_real_texts(limit: int = 400) -> list[tuple[str, str, str]]:
    """(family, path, text) of permissive/copyleft license files found on this machine: license
    files under *.dist-info of the installed Pythons, license data shipped by installed packages
    (license_expression), and the Debian common-licenses folder."""
    paths: list[Path] = []
    for d in _site_dirs():
        for info in d.glob("*.dist-info"):
            paths.extend(
                p
                for p in info.rglob("*")
                if p.is_file() and re.match(r"(?i)(licen[cs]e|copying)", p.name)
            )
        paths.extend(d.glob("license_expression/data/*.LICENSE"))
    common = Path("/usr/share/common-licenses")
    if common.is_dir():
        paths.extend(p for p in common.iterdir() if p.is_file())
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for p in sorted(set(paths)):
        try:
            if p.stat().st_size > 64_000:
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        key = re.sub(r"\W+", "", text)[:4000]
        if key in seen:
            continue
        head = text[:3000]
        family = next((f for f, rx in FAMILIES if rx.search(head)), None)
        if family is None:
            continue
        seen.add(key)
        out.append((family, str(p), text))
        if len(out) >= limit:
            break
    return out
